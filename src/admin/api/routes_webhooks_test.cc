// Webhook subscriptions through the admin API: a change of the URL of a
// subscription with basicAuth/keyAuth needs auth_secret again (422 naming
// it, nothing stored), so a client key cannot send a provisioned credential
// to a host of its choosing; the same URL keeps the stored secret.
#include "admin/api/api_testutil.h"

namespace campaignd::admin::api {
namespace {

class WebhookRoutesTest : public AdminApiTest {
 protected:
  static std::string Message(const TestReply& reply) {
    return reply.code().empty() ? "" : reply.json["error"]["message"].get<std::string>();
  }
  std::string AuthSecret(int64_t id) {
    auto found = catalog_->FindWebhook(1, id);
    EXPECT_TRUE(found.ok() && found->has_value());
    return found.ok() && found->has_value() ? (*found)->auth_secret : "";
  }
  const std::string base_ = "/admin/v1/clients/1/webhooks";
};

TEST_F(WebhookRoutesTest, ChangedUrlNeedsTheAuthSecretAgain) {
  TestReply made = As1("POST", base_,
                       {{"url", "https://one.example/hook"},
                        {"types", {"bounce"}},
                        {"auth", "keyAuth"},
                        {"auth_name", "X-Key"},
                        {"auth_secret", "k3y"}});
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string path = base_ + "/" + std::to_string(made.json["id"].get<int64_t>());
  const int64_t id = made.json["id"].get<int64_t>();

  TestReply moved = As1("PATCH", path, {{"url", "https://evil.example/collect"}});
  EXPECT_EQ(moved.status, 422) << moved.body;
  EXPECT_EQ(Message(moved), "auth_secret: keyAuth needs a header value");
  EXPECT_EQ(As1("GET", path).json["url"], "https://one.example/hook");  // nothing stored
  EXPECT_EQ(AuthSecret(id), "k3y");

  // Same URL: the secret may be left out and is kept.
  TestReply types = As1("PATCH", path, {{"types", {"bounce", "open"}}});
  EXPECT_EQ(types.status, 200) << types.body;
  EXPECT_EQ(AuthSecret(id), "k3y");

  // New URL with the secret given again: accepted, the new secret stored.
  TestReply given =
      As1("PATCH", path, {{"url", "https://two.example/hook"}, {"auth_secret", "other"}});
  EXPECT_EQ(given.status, 200) << given.body;
  EXPECT_EQ(AuthSecret(id), "other");

  // basicAuth the same way; auth none needs no secret for a new URL.
  TestReply basic =
      As1("PATCH", path, {{"auth", "basicAuth"}, {"auth_name", "shop"}, {"auth_secret", "pw"}});
  ASSERT_EQ(basic.status, 200) << basic.body;
  TestReply basic_moved = As1("PATCH", path, {{"url", "https://three.example/"}});
  EXPECT_EQ(basic_moved.status, 422);
  EXPECT_EQ(Message(basic_moved), "auth_secret: basicAuth needs a password");
  ASSERT_EQ(As1("PATCH", path, {{"auth", "none"}}).status, 200);
  EXPECT_EQ(As1("PATCH", path, {{"url", "https://three.example/"}}).status, 200);
}

}  // namespace
}  // namespace campaignd::admin::api
