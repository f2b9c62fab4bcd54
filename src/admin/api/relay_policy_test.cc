// docs/decisions/0014-relay-policy.md through the admin API: what a client
// key may choose as its relay, what only the operator may, and address
// literals as recipients (issue 15, items 2, 5 and 9).
#include "admin/api/api_testutil.h"

namespace campaignd::admin::api {
namespace {

class RelayPolicyTest : public AdminApiTest {
 protected:
  std::string StoredTransport(int64_t client) {
    Result<std::optional<store::Client>> found = store_.engine().directory().FindClient(client);
    EXPECT_TRUE(found.ok() && found->has_value());
    return found.ok() && found->has_value() ? (**found).transport : "";
  }
  const std::string relay_ = "/admin/v1/clients/1/relay";
  const std::string list_ = "/admin/v1/clients/1/lists/10";
};

const char kFileRefused[] =
    "transport: a file: transport writes on the server: only the operator sets one; a client key "
    "may choose an smtp:// or smtps:// relay the operator allows";

TEST_F(RelayPolicyTest, AClientKeyNeverChoosesAFileOrAnUnlistedHost) {
  context_->client_relay_hosts = {"relay.example.com", "127.0.0.1:2600"};
  const std::string before = StoredTransport(1);
  for (const char* file :
       {"file:/tmp/x", "file:///etc/cron.d", "file:../../..", "file:outbox2", "FILE:outbox"}) {
    TestReply put = As1("PUT", relay_, {{"transport", file}});
    EXPECT_EQ(put.status, 403) << file << " " << put.body;
    EXPECT_EQ(put.code(), "forbidden");
    EXPECT_EQ(put.json["error"]["message"], kFileRefused);
    TestReply patched = As1("PATCH", "/admin/v1/clients/1", {{"name", "x"}, {"transport", file}});
    EXPECT_EQ(patched.status, 403) << file << " " << patched.body;
    EXPECT_EQ(patched.json["error"]["message"], kFileRefused);
  }
  const std::string listed =
      " is not one the operator allows for client keys (client_relay_hosts: relay.example.com, "
      "127.0.0.1:2600)";
  for (const auto& [url, where] : std::vector<std::pair<std::string, std::string>>{
           {"smtp://127.0.0.1:2525", "127.0.0.1:2525"},
           {"smtp://127.0.0.1", "127.0.0.1:25"},
           {"smtps://10.0.0.7:465", "10.0.0.7:465"},
           {"smtp://relay.example.com:22", "relay.example.com:22"},
           {"smtp://u:hunter2@internal.example:25", "internal.example:25"}}) {
    TestReply put = As1("PUT", relay_, {{"transport", url}});
    EXPECT_EQ(put.status, 403) << url;
    EXPECT_EQ(put.json["error"]["message"], "transport: relay " + where + listed);
    EXPECT_EQ(put.body.find("hunter2"), std::string::npos);
  }
  EXPECT_EQ(As1("PUT", relay_, {{"transport", "smtp://relay.example.com?cafile=/etc/shadow"}})
                .json["error"]["message"],
            "transport: cafile= names a file on the server: only the operator sets it");
  EXPECT_EQ(
      As1("PUT", relay_,
          {{"transport", "smtp://u:p@relay.example.com?starttls=never&allow_plain_auth=true"}})
          .status,
      403);
  EXPECT_EQ(As1("PUT", relay_, {{"transport", "smtp://relay.example.com?verify=false"}}).status,
            403);
  // Grammar errors stay 422, whoever asks.
  EXPECT_EQ(As1("PUT", relay_, {{"transport", "smtp://relay.example.com?bogus=1"}}).status, 422);
  EXPECT_EQ(StoredTransport(1), before);
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1").json["name"], "client 1");
}

TEST_F(RelayPolicyTest, WithoutAllowedHostsAClientKeyKeepsWhatTheOperatorSet) {
  const std::string before = StoredTransport(1);
  TestReply put = As1("PUT", relay_, {{"transport", "smtp://relay.example.com"}});
  EXPECT_EQ(put.status, 403);
  EXPECT_EQ(put.json["error"]["message"],
            "transport: client keys may not choose their relay here (the operator allows no "
            "relay host: client_relay_hosts is empty)");
  // Sending back what is stored is no change, so no refusal.
  TestReply same =
      As1("PATCH", "/admin/v1/clients/1", {{"name", "Renamed"}, {"transport", before}});
  EXPECT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(StoredTransport(1), before);
}

TEST_F(RelayPolicyTest, AClientKeyChoosesAnAllowedRelayWithItsOwnCredentials) {
  context_->client_relay_hosts = {"*.mailer.example", "127.0.0.1:2600"};
  TestReply put =
      As1("PUT", relay_, {{"transport", "smtp://shop:s3cret@eu.mailer.example:587?connections=2"}});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.body.find("s3cret"), std::string::npos);
  EXPECT_EQ(StoredTransport(1), "smtp://shop:s3cret@eu.mailer.example:587?connections=2");
  TestReply patched = As1("PATCH", "/admin/v1/clients/1", {{"transport", "smtp://127.0.0.1:2600"}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(StoredTransport(1), "smtp://127.0.0.1:2600");
  // The other client's relay is out of reach as before.
  EXPECT_EQ(
      As1("PUT", "/admin/v1/clients/2/relay", {{"transport", "smtp://127.0.0.1:2600"}}).status,
      403);
}

TEST_F(RelayPolicyTest, TheOperatorSetsAnyValidTransportButNoFileOutsideTheRoot) {
  for (const char* url : {"file:outbox/shop", "smtp://127.0.0.1:2525", "smtp://10.0.0.7:25",
                          "smtp://u:p@relay.example.com?starttls=never&allow_plain_auth=true",
                          "smtp://relay.example.com?cafile=/etc/ssl/ca.pem&verify=false"}) {
    TestReply put = Admin("PUT", relay_, {{"transport", url}});
    EXPECT_EQ(put.status, 200) << url << " " << put.body;
    EXPECT_EQ(StoredTransport(1), url);
  }
  const std::string before = StoredTransport(1);
  EXPECT_EQ(Admin("PUT", relay_, {{"transport", "file:/tmp/x"}}).json["error"]["message"],
            "transport: file transport directory '/tmp/x' is absolute; give a directory below "
            "outbox_root, e.g. file:outbox");
  EXPECT_EQ(Admin("PUT", relay_, {{"transport", "file:../../.."}}).json["error"]["message"],
            "transport: file transport directory '../../..' has a '..' segment; it must stay "
            "below outbox_root");
  TestReply clear =
      Admin("PUT", relay_, {{"transport", "smtp://u:p@relay.example.com?starttls=optional"}});
  EXPECT_EQ(clear.status, 422);
  EXPECT_NE(clear.json["error"]["message"].get<std::string>().find("allow_plain_auth=true"),
            std::string::npos);
  EXPECT_EQ(Admin("POST", "/admin/v1/clients", {{"name", "x"}, {"transport", "file:///etc/cron.d"}})
                .status,
            422);
  EXPECT_EQ(StoredTransport(1), before);
}

TEST_F(RelayPolicyTest, AddressLiteralsAreRefusedUnlessAllowed) {
  const std::string message =
      "recipient_id: address literals like [192.0.2.1] are not allowed (allow_address_literals)";
  TestReply added = As1("POST", list_ + "/recipients", {{"recipient_id", "x@[127.0.0.1]"}});
  EXPECT_EQ(added.status, 422);
  EXPECT_EQ(added.json["error"]["message"], message);
  nlohmann::json items = {{{"recipient_id", "ok@example.com"}}, {{"recipient_id", "x@[IPv6:::1]"}}};
  EXPECT_EQ(As1("POST", list_ + "/recipients/bulk", {{"items", items}}).status, 422);
  EXPECT_EQ(As1("GET", list_ + "/recipients/ok@example.com").status, 404);  // all or nothing
  TestReply imported = Raw("POST", list_ + "/recipients/import", key1_,
                           "email\nfine@example.com\nx@[10.0.0.1]\n", "text/csv");
  ASSERT_EQ(imported.status, 200) << imported.body;
  EXPECT_EQ(imported.json["stored"], 1);
  EXPECT_EQ(imported.json["rejected"], 1);
  EXPECT_EQ(imported.json["errors"][0]["message"],
            "address literals like [192.0.2.1] are not allowed (allow_address_literals)");
  EXPECT_EQ(Admin("POST", list_ + "/recipients", {{"recipient_id", "x@[127.0.0.1]"}}).status, 422);

  context_->address_literals = AddressLiterals::kAllow;
  TestReply allowed = As1("POST", list_ + "/recipients", {{"recipient_id", "X@[127.0.0.1]"}});
  ASSERT_EQ(allowed.status, 201) << allowed.body;
  EXPECT_EQ(allowed.json["recipient_id"], "x@[127.0.0.1]");
  // Stored ones stay reachable (and removable) when the setting is off again.
  context_->address_literals = AddressLiterals::kRefuse;
  EXPECT_EQ(As1("GET", list_ + "/recipients/x@%5B127.0.0.1%5D").status, 200);
  EXPECT_EQ(As1("DELETE", list_ + "/recipients/x@%5B127.0.0.1%5D").status, 204);
}

}  // namespace
}  // namespace campaignd::admin::api
