// Opt-in processes through the admin API: create (given or next id), list
// in pages, show, change, delete; every rule of [[client.optin]] answered
// 422 naming the member, nothing stored on a refusal.
#include "admin/api/api_testutil.h"
#include "store/recipients.h"

namespace campaignd::admin::api {
namespace {

class OptInRoutesTest : public AdminApiTest {
 protected:
  void SetUp() override {
    AdminApiTest::SetUp();
    // Mailing 101 of client 1 and 101 of client 2: type confirmation.
    for (const char* client : {"/admin/v1/clients/1", "/admin/v1/clients/2"}) {
      TestReply mailing = Admin("POST", std::string(client) + "/mailings",
                                {{"name", "confirm"}, {"type", "confirmation"},
                                 {"list_ids", {10}}, {"subject", "Please confirm"},
                                 {"text", "{bmOptInUrl}"}});
      ASSERT_EQ(mailing.status, 201) << mailing.body;
      ASSERT_EQ(mailing.json["id"], 101);
    }
  }

  // The answer's error message, "" when there is none.
  static std::string Message(const TestReply& reply) {
    return reply.code().empty() ? "" : reply.json["error"]["message"].get<std::string>();
  }

  const std::string base_ = "/admin/v1/clients/1/optins";
};

TEST_F(OptInRoutesTest, CreateListShowChangeAndDelete) {
  TestReply double_optin = As1("POST", base_,
                               {{"name", "newsletter"}, {"kind", "double"}, {"mailing_id", 101},
                                {"confirmation_url", "https://shop.example/thanks"}});
  ASSERT_EQ(double_optin.status, 201) << double_optin.body;
  EXPECT_EQ(double_optin.json, nlohmann::json::parse(R"({"id": 1, "name": "newsletter",
      "kind": "double", "mailing_id": 101, "confirmation_url": "https://shop.example/thanks"})"));
  TestReply single = As1("POST", base_, {{"id", 7}, {"name", "checkout"}, {"kind", "single"}});
  ASSERT_EQ(single.status, 201) << single.body;
  EXPECT_EQ(single.json["mailing_id"], 0);
  TestReply again = As1("POST", base_, {{"id", 7}, {"name", "x"}, {"kind", "single"}});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.code(), "conflict");

  // What subscribe's bmOptInId finds.
  auto stored = store_.engine().recipients().FindOptIn(1, 1);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->kind, store::OptInKind::kDouble);
  EXPECT_EQ((*stored)->mailing_id, 101);

  TestReply first = As1("GET", base_ + "?limit=1");
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(first.json["items"].size(), 1u);
  EXPECT_EQ(first.json["items"][0]["id"], 1);
  EXPECT_EQ(first.json["next_cursor"], "1");
  TestReply rest = As1("GET", base_ + "?cursor=1");
  ASSERT_EQ(rest.json["items"].size(), 1u);
  EXPECT_EQ(rest.json["items"][0]["name"], "checkout");
  EXPECT_TRUE(rest.json["next_cursor"].is_null());
  EXPECT_TRUE(Admin("GET", "/admin/v1/clients/2/optins").json["items"].empty());
  EXPECT_EQ(Admin("GET", "/admin/v1/clients/2/optins/1").status, 404);

  TestReply changed = As1("PATCH", base_ + "/1", {{"kind", "confirmed"}, {"confirmation_url", ""}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json["kind"], "confirmed");
  EXPECT_EQ(changed.json["name"], "newsletter");  // members not sent are kept
  TestReply shown = As1("GET", base_ + "/1");
  EXPECT_EQ(shown.json, changed.json);
  EXPECT_EQ(As1("PATCH", base_ + "/1", {{"id", 2}}).status, 422);
  EXPECT_EQ(As1("PATCH", base_ + "/9", {{"name", "x"}}).status, 404);

  EXPECT_EQ(As1("DELETE", base_ + "/7").status, 204);
  EXPECT_EQ(As1("DELETE", base_ + "/7").status, 404);
  EXPECT_EQ(As1("GET", base_ + "/7").status, 404);
  EXPECT_EQ(As1("GET", base_ + "/seven").status, 404);
  EXPECT_FALSE(store_.engine().recipients().FindOptIn(1, 7)->has_value());
}

TEST_F(OptInRoutesTest, EveryRuleIsA422NamingTheMemberAndStoresNothing) {
  const std::pair<nlohmann::json, std::string> cases[] = {
      {{{"name", "x"}}, "kind: required (single, confirmed or double)"},
      {{{"name", "x"}, {"kind", "triple"}}, "kind: expected single, confirmed or double"},
      {{{"name", ""}, {"kind", "single"}}, "name: must not be empty"},
      {{{"name", "x"}, {"kind", "double"}},
       "mailing_id: a double opt-in needs its confirmation mailing"},
      {{{"name", "x"}, {"kind", "confirmed"}, {"mailing_id", 100}},  // an event mailing
       "mailing_id: expected the id of a mailing of type confirmation of the client"},
      {{{"name", "x"}, {"kind", "double"}, {"mailing_id", 999}},
       "mailing_id: expected the id of a mailing of type confirmation of the client"},
      {{{"name", "x"}, {"kind", "single"}, {"mailing_id", -1}},
       "mailing_id: expected an integer >= 0"},
      {{{"name", "x"}, {"kind", "single"}, {"confirmation_url", "https://evil.example/"}},
       "confirmation_url: host 'evil.example' is not in the client's redirect_hosts"},
      {{{"name", "x"}, {"kind", "single"}, {"confirmation_url", "/thanks"}},
       "confirmation_url: expected an absolute http:// or https:// URL"},
      {{{"name", "x"}, {"kind", "single"}, {"id", 0}}, "id: expected an integer >= 1"},
  };
  for (const auto& [body, message] : cases) {
    TestReply reply = As1("POST", base_, body);
    EXPECT_EQ(reply.status, 422) << body.dump() << " " << reply.body;
    EXPECT_EQ(reply.code(), "invalid") << body.dump();
    EXPECT_EQ(Message(reply), message) << body.dump();
  }
  EXPECT_TRUE(As1("GET", base_).json["items"].empty());

  TestReply single = As1("POST", base_, {{"name", "checkout"}, {"kind", "single"}});
  ASSERT_EQ(single.status, 201);
  TestReply made_double = As1("PATCH", base_ + "/1", {{"kind", "double"}});
  EXPECT_EQ(made_double.status, 422);
  EXPECT_EQ(Message(made_double), "mailing_id: a double opt-in needs its confirmation mailing");
  EXPECT_EQ(As1("GET", base_ + "/1").json["kind"], "single");
  EXPECT_EQ(As1("POST", base_, {{"name", "x"}, {"kind", "single"}, {"confirmation_url", 1}}).status,
            422);
  EXPECT_EQ(Raw("POST", base_, key1_, "{not json", "application/json").status, 400);
}

TEST_F(OptInRoutesTest, AnotherClientsConfirmationMailingIsNotOne) {
  TestReply deleted = Admin("DELETE", "/admin/v1/clients/1/mailings/101");
  ASSERT_EQ(deleted.status, 204) << deleted.body;  // client 2 still has its mailing 101
  TestReply reply = As1("POST", base_, {{"name", "x"}, {"kind", "double"}, {"mailing_id", 101}});
  EXPECT_EQ(reply.status, 422) << reply.body;
  EXPECT_EQ(Admin("POST", "/admin/v1/clients/2/optins",
                  {{"name", "x"}, {"kind", "double"}, {"mailing_id", 101}})
                .status,
            201);
}

}  // namespace
}  // namespace campaignd::admin::api
