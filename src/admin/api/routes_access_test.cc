// Codes (shown once, stored hashed), blocklist, DKIM keys (never returned).
#include "admin/api/api_testutil.h"
#include "auth/code_hash.h"
#include "render/test_keys.h"

namespace campaignd::admin::api {
namespace {

class AccessRoutesTest : public AdminApiTest {
 protected:
  const std::string base_ = "/admin/v1/clients/1";
};

TEST_F(AccessRoutesTest, CodeIsShownOnceAndStoredHashed) {
  TestReply created = As1("POST", base_ + "/codes",
                          {{"name", "shop"}, {"list_id", 10}, {"operations", {"sendeventmail"}},
                           {"ips", {"10.0.0.0/8"}}, {"methods", {"POST"}}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string code = created.json["code"];
  EXPECT_EQ(code.size(), 32u);
  auto stored = store_.directory().FindCode(auth::HashCode(code));
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->name, "shop");
  TestReply listed = As1("GET", base_ + "/codes");
  EXPECT_EQ(listed.body.find(code), std::string::npos);
  EXPECT_EQ(listed.body.find("hash"), std::string::npos);
  EXPECT_FALSE(As1("GET", base_ + "/codes/shop").json.contains("code"));

  TestReply given = As1("POST", base_ + "/codes", {{"list_id", 11}, {"code", "my-own-code-1"}});
  ASSERT_EQ(given.status, 201);
  EXPECT_EQ(given.json["code"], "my-own-code-1");
  EXPECT_EQ(As1("POST", base_ + "/codes", {{"list_id", 11}, {"code", "my-own-code-1"}}).status, 409);
  EXPECT_EQ(As1("POST", base_ + "/codes", {{"list_id", 11}, {"code", "bad code"}}).status, 422);
  EXPECT_EQ(As1("POST", base_ + "/codes", {{"list_id", 99}}).status, 422);
  EXPECT_EQ(As1("POST", base_ + "/codes", {{"list_id", 10}, {"ips", {"300.0.0.0/8"}}}).status, 422);
  EXPECT_EQ(As1("POST", base_ + "/codes", {{"list_id", 10}, {"methods", {"PUT"}}}).status, 422);

  EXPECT_EQ(As1("PATCH", base_ + "/codes/shop", {{"enabled", false}}).json["enabled"], false);
  EXPECT_FALSE((*store_.directory().FindCode(auth::HashCode(code)))->enabled);
  EXPECT_EQ(As1("PATCH", base_ + "/codes/shop", {{"code", "x"}}).status, 422);
  EXPECT_EQ(As1("DELETE", base_ + "/codes/shop").status, 204);
  EXPECT_EQ(As1("GET", base_ + "/codes/shop").status, 404);
}

TEST_F(AccessRoutesTest, BlocklistEntriesAreLowerCasedAndRemovable) {
  TestReply added = As1("POST", base_ + "/blocklist", {{"pattern", "*@Evil.Example"}, {"reason", "r"}});
  ASSERT_EQ(added.status, 201);
  EXPECT_EQ(added.json["pattern"], "*@evil.example");
  EXPECT_TRUE(store_.directory().CheckSuppression(1, 10, "x@evil.example")->blocked);
  EXPECT_EQ(As1("POST", base_ + "/blocklist", {{"pattern", "has space@x"}}).status, 422);
  // One rule with the public blacklist operation: nothing that blocks every address.
  for (const char* every : {"*@*", "?*@*", "*@**"}) {
    TestReply refused = As1("POST", base_ + "/blocklist", {{"pattern", every}});
    EXPECT_EQ(refused.status, 422) << every;
    EXPECT_EQ(refused.json["error"]["message"],
              std::string("pattern: '") + every +
                  "' would match every address: it needs a character "
                  "besides * ? @ and .");
  }
  EXPECT_FALSE(store_.directory().CheckSuppression(1, 10, "x@other.example")->blocked);
  EXPECT_EQ(As1("GET", base_ + "/blocklist").json["items"].size(), 3u);
  EXPECT_EQ(As1("DELETE", base_ + "/blocklist/%2A%40evil.example").status, 204);
  EXPECT_EQ(As1("DELETE", base_ + "/blocklist/%2A%40evil.example").status, 404);
  EXPECT_FALSE(store_.directory().CheckSuppression(1, 10, "x@evil.example")->blocked);
}

TEST_F(AccessRoutesTest, DkimPrivateKeysGoInButNeverOut) {
  const std::string pem = render::GenerateTestKey("ed25519").private_pem;
  TestReply added = As1("POST", base_ + "/dkim-keys",
                        {{"domain", "Shop.Example"}, {"selector", "s2"},
                         {"algorithm", "ed25519-sha256"}, {"private_key_pem", pem}});
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.json["domain"], "shop.example");
  EXPECT_EQ(added.body.find("PRIVATE"), std::string::npos);
  TestReply listed = As1("GET", base_ + "/dkim-keys");
  EXPECT_EQ(listed.json["items"].size(), 2u);
  EXPECT_EQ(listed.body.find("PEM"), std::string::npos);
  EXPECT_EQ(As1("POST", base_ + "/dkim-keys",
                {{"domain", "shop.example"}, {"selector", "s3"}, {"algorithm", "rsa-sha256"},
                 {"private_key_pem", "garbage"}})
                .status,
            422);
  EXPECT_EQ(As1("DELETE", base_ + "/dkim-keys/shop.example/s2").status, 204);
  EXPECT_EQ(As1("DELETE", base_ + "/dkim-keys/shop.example/s2").status, 404);
}

TEST_F(AccessRoutesTest, DkimAlgorithmDefaultsToTheKeysType) {
  TestReply ed = As1("POST", base_ + "/dkim-keys",
                     {{"domain", "shop.example"}, {"selector", "e1"},
                      {"private_key_pem", render::GenerateTestKey("ed25519").private_pem}});
  ASSERT_EQ(ed.status, 201) << ed.body;
  EXPECT_EQ(ed.json["algorithm"], "ed25519-sha256");
  TestReply rsa = As1("POST", base_ + "/dkim-keys",
                      {{"domain", "shop.example"}, {"selector", "r1"},
                       {"private_key_pem", render::GenerateTestKey("rsa", 1024).private_pem}});
  ASSERT_EQ(rsa.status, 201) << rsa.body;
  EXPECT_EQ(rsa.json["algorithm"], "rsa-sha256");
  TestReply wrong = As1("POST", base_ + "/dkim-keys",
                        {{"domain", "shop.example"}, {"selector", "x1"}, {"algorithm", "rsa-sha1"},
                         {"private_key_pem", render::GenerateTestKey("ed25519").private_pem}});
  EXPECT_EQ(wrong.status, 422);
  EXPECT_NE(wrong.body.find("algorithm"), std::string::npos) << wrong.body;
}

}  // namespace
}  // namespace campaignd::admin::api
