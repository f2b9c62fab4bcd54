// Mailings: content validation, the status table, preview, mail search.
#include "admin/api/api_testutil.h"

namespace campaignd::admin::api {
namespace {

class MailingRoutesTest : public AdminApiTest {
 protected:
  const std::string base_ = "/admin/v1/clients/1/mailings";
  TestReply SetStatus(const std::string& id, const std::string& status) {
    return As1("POST", base_ + "/" + id + "/status", {{"status", status}});
  }
};

TEST_F(MailingRoutesTest, CreateValidatesListsAndTargetGroup) {
  TestReply created = As1("POST", base_,
                          {{"name", "news"}, {"type", "regular"}, {"list_ids", {10}},
                           {"target_group", "orders > 1"}, {"from", "Shop <shop@example.com>"},
                           {"subject", "Hi {firstname}"}, {"text", "T"}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json["status"], "NEW");
  EXPECT_EQ(created.json["id"], 101);
  EXPECT_EQ(As1("POST", base_, {{"name", "x"}, {"list_ids", {99}}}).status, 422);
  EXPECT_EQ(As1("POST", base_, {{"name", "x"}, {"list_ids", {10}}}).status, 201);
  EXPECT_EQ(As1("POST", base_, {{"name", "x"}, {"target_group", "orders >"}}).status, 422);
  EXPECT_EQ(As1("POST", base_, {{"name", "x"}, {"type", "sms"}}).status, 422);
  EXPECT_EQ(As1("POST", base_, {{"name", "x"}, {"status", "SENDING"}}).status, 422);
  EXPECT_EQ(As1("POST", base_, {{"id", 100}, {"name", "dup"}}).status, 409);
}

TEST_F(MailingRoutesTest, OnlyTheAllowedStatusChangesHappen) {
  const std::string id =
      std::to_string(As1("POST", base_, {{"name", "m"}}).json["id"].get<int>());
  EXPECT_EQ(SetStatus(id, "PAUSED").status, 409);
  EXPECT_EQ(SetStatus(id, "DONE").status, 409);
  EXPECT_EQ(SetStatus(id, "NEW").status, 409);
  EXPECT_EQ(SetStatus(id, "LATER").status, 422);
  EXPECT_EQ(As1("PATCH", base_ + "/" + id, {{"subject", "s"}}).status, 200);
  EXPECT_EQ(SetStatus(id, "SENDING").json["status"], "SENDING");
  EXPECT_EQ(As1("PATCH", base_ + "/" + id, {{"subject", "s2"}}).status, 409);
  EXPECT_EQ(As1("DELETE", base_ + "/" + id).status, 409);
  EXPECT_EQ(SetStatus(id, "PAUSED").json["status"], "PAUSED");
  EXPECT_EQ(As1("PATCH", base_ + "/" + id, {{"subject", "s3"}}).json["subject"], "s3");
  EXPECT_EQ(SetStatus(id, "SENDING").status, 200);
  EXPECT_EQ(SetStatus(id, "DONE").status, 200);
  EXPECT_EQ(SetStatus(id, "SENDING").status, 409);
  EXPECT_EQ(SetStatus(id, "CANCELED").status, 409);
  EXPECT_EQ(As1("GET", base_ + "/" + id).json["status"], "DONE");
  const std::string other =
      std::to_string(As1("POST", base_, {{"name", "n"}}).json["id"].get<int>());
  EXPECT_EQ(SetStatus(other, "CANCELED").status, 200);
  EXPECT_EQ(SetStatus(other, "SENDING").status, 409);
  const std::string fresh =
      std::to_string(As1("POST", base_, {{"name", "f"}}).json["id"].get<int>());
  EXPECT_EQ(As1("DELETE", base_ + "/" + fresh).status, 204);
}

TEST_F(MailingRoutesTest, PreviewRendersForOneRecipient) {
  ASSERT_EQ(As1("PATCH", base_ + "/100", {{"html", "<p>{firstname} {bmMailingId}</p>"}}).status,
            409);  // SENDING
  ASSERT_EQ(SetStatus("100", "PAUSED").status, 200);
  ASSERT_EQ(As1("PATCH", base_ + "/100",
                {{"html", "<p>{firstname}</p><a href=\"{bmUnsubscribeUrl}\">x</a>"}})
                .status,
            200);
  ASSERT_EQ(As1("PUT", "/admin/v1/clients/1/lists/10/recipients/a@example.com",
                {{"fields", {{"firstname", "<Ann>"}}}})
                .status,
            200);
  TestReply preview = As1("POST", base_ + "/100/preview",
                          {{"list_id", 10}, {"recipient_id", "A@example.com"}});
  ASSERT_EQ(preview.status, 200) << preview.body;
  EXPECT_EQ(preview.json["subject"], "Hello <Ann>");
  EXPECT_EQ(preview.json["html"],
            "<p>&lt;Ann&gt;</p><a href=\"https://mail.example/http/mail/preview/unsubscribe\">x</a>");
  EXPECT_EQ(preview.json["text"], "Hi");
  EXPECT_EQ(As1("POST", base_ + "/100/preview", {{"list_id", 10}, {"recipient_id", "z@example.com"}})
                .status,
            404);
  EXPECT_EQ(As1("POST", base_ + "/100/preview", {{"list_id", 10}}).status, 422);
}

TEST_F(MailingRoutesTest, MailsAreFoundWithTheirHistory) {
  for (int i = 0; i < 3; ++i) {
    store::NewMail mail{.client_id = 1, .list_id = 10, .mailing_id = 100,
                        .recipient_id = i == 0 ? "a@example.com" : "b@example.com",
                        .fields = {}, .created_at = FromUnixMillis(1'700'000'000'000 + i)};
    ASSERT_TRUE(store_.queue().Enqueue(mail).ok());
  }
  TestReply all = As1("GET", "/admin/v1/clients/1/mails?limit=2");
  ASSERT_EQ(all.status, 200) << all.body;
  ASSERT_EQ(all.json["items"].size(), 2u);
  EXPECT_EQ(all.json["items"][0]["history"][0]["status"], "enqueued");
  TestReply rest = As1("GET", "/admin/v1/clients/1/mails?limit=2&cursor=" +
                                  all.json["next_cursor"].get<std::string>());
  EXPECT_EQ(rest.json["items"].size(), 1u);
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1/mails?recipient=A@example.com").json["items"].size(), 1u);
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1/mails?status=sent").json["items"].size(), 0u);
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1/mails?since=2023-11-14T22:13:20Z&until=1700000000002")
                .json["items"].size(),
            2u);
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1/mails?status=weird").status, 400);
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1/mails?since=yesterday").status, 400);
  EXPECT_EQ(Do("GET", "/admin/v1/clients/2/mails", key2_).json["items"].size(), 0u);

  const std::string mail_id = all.json["items"][0]["mail_id"];
  TestReply one = As1("GET", "/admin/v1/clients/1/mails/" + mail_id);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.json["id"], all.json["items"][0]["id"]);
  const std::string seq = std::to_string(all.json["items"][0]["id"].get<int>());
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1/mails/" + seq).status, 200);
  EXPECT_EQ(Do("GET", "/admin/v1/clients/2/mails/" + seq, key2_).status, 404);
  EXPECT_EQ(Do("GET", "/admin/v1/clients/2/mails/" + mail_id, key2_).status, 404);
}

}  // namespace
}  // namespace campaignd::admin::api
