#include "admin/mail_history.h"

#include <gtest/gtest.h>

namespace campaignd::admin {
namespace {

using std::chrono::milliseconds;

// 2024-05-01T10:00:00.000Z
constexpr int64_t kMay1 = 1714557600000;

MailHistory Example() {
  store::Client client;
  client.id = 1;
  client.name = "Shoe Store";
  store::RecipientList list;
  list.id = 100;
  list.name = "Customers";
  store::Mailing mailing;
  mailing.id = 5000;
  mailing.name = "order-confirmation";
  store::Mail mail;
  mail.client_id = 1;
  mail.id = 7;
  mail.list_id = 100;
  mail.mailing_id = 5000;
  mail.recipient_id = "john.smith@example.com";
  mail.status = MailStatus::kSent;
  mail.attempts = 2;
  mail.created_at = FromUnixMillis(kMay1);
  mail.updated_at = FromUnixMillis(kMay1 + 61'234);
  mail.last_reply = "250 2.0.0 Ok: queued as ABC";
  std::vector<store::MailEvent> events = {
      {FromUnixMillis(kMay1), MailStatus::kEnqueued, ""},
      {FromUnixMillis(kMay1 + 5), MailStatus::kSending, "451 4.3.0 try again\r\nlater"},
      {FromUnixMillis(kMay1 + 61'234), MailStatus::kSent, "250 2.0.0 Ok: queued as ABC"},
  };
  return MailHistory{MailId::Make(1, 7, "secret"), client, list, mailing, mail, events, {}};
}

TEST(MailHistoryTest, IsoTimesAreUtcWithMilliseconds) {
  EXPECT_EQ(FormatIsoTime(FromUnixMillis(kMay1)), "2024-05-01T10:00:00.000Z");
  EXPECT_EQ(FormatIsoTime(FromUnixMillis(kMay1 + 61'234)), "2024-05-01T10:01:01.234Z");
  EXPECT_EQ(FormatIsoTime(FromUnixMillis(0)), "1970-01-01T00:00:00.000Z");
}

TEST(MailHistoryTest, PrintsTheMailAndItsHistory) {
  const MailHistory h = Example();
  EXPECT_EQ(FormatMailHistory(h),
            "mail       " + h.mail_id.ToString() +
                "\n"
                "client     1 (Shoe Store)\n"
                "list       100 (Customers)\n"
                "mailing    5000 (order-confirmation)\n"
                "recipient  john.smith@example.com\n"
                "status     sent\n"
                "attempts   2\n"
                "created    2024-05-01T10:00:00.000Z\n"
                "updated    2024-05-01T10:01:01.234Z\n"
                "last reply 250 2.0.0 Ok: queued as ABC\n"
                "\n"
                "time                      status    reply\n"
                "2024-05-01T10:00:00.000Z  enqueued\n"
                "2024-05-01T10:00:00.005Z  sending   451 4.3.0 try again  later\n"
                "2024-05-01T10:01:01.234Z  sent      250 2.0.0 Ok: queued as ABC\n"
                "\n"
                "events     none\n");
}

TEST(MailHistoryTest, EventsFollowTheHistoryWithTypeTimeAndData) {
  MailHistory h = Example();
  store::events::StoredEvent bounce;
  bounce.id = 41;
  bounce.event.type = store::events::EventType::kBounce;
  bounce.event.at = FromUnixMillis(kMay1 + 3'600'000);
  // Data comes from a remote server's report: no control character reaches the terminal.
  bounce.event.data = "{\"category\":\"hard\",\"diagnostic\":\"550 user\\r\\nunknown\x1b[2J\"}";
  store::events::StoredEvent click;
  click.id = 42;
  click.event.type = store::events::EventType::kSpamComplaint;
  click.event.at = FromUnixMillis(kMay1 + 3'600'001);
  h.mail_events = {bounce, click};
  const std::string text = FormatMailHistory(h);
  const std::string tail =
      "\n"
      "events\n"
      "  time                      type           data\n"
      "  2024-05-01T11:00:00.000Z  bounce         {\"category\":\"hard\",\"diagnostic\":\"550 "
      "user\\r\\nunknown [2J\"}\n"
      "  2024-05-01T11:00:00.001Z  spamcomplaint  {}\n";
  ASSERT_GE(text.size(), tail.size());
  EXPECT_EQ(text.substr(text.size() - tail.size()), tail) << text;
  EXPECT_NE(text.find("2024-05-01T10:01:01.234Z  sent      250 2.0.0 Ok: queued as ABC\n\n"),
            std::string::npos)
      << "the events come after the history: " << text;
}

TEST(MailHistoryTest, PendingMailShowsNextTryAndDeletedRecords) {
  MailHistory h = Example();
  h.mail.status = MailStatus::kSending;
  h.mail.next_attempt_at = FromUnixMillis(kMay1 + 120'000);
  h.mail.last_reply = "";
  h.list.reset();
  h.mailing.reset();
  h.events.resize(1);
  const std::string text = FormatMailHistory(h);
  EXPECT_NE(text.find("list       100 (deleted)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("mailing    5000 (deleted)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("next try   2024-05-01T10:02:00.000Z\n"), std::string::npos) << text;
  EXPECT_NE(text.find("last reply -\n"), std::string::npos) << text;
}

TEST(MailHistoryTest, ControlCharactersNeverReachTheTerminal) {
  MailHistory h = Example();
  h.mail.last_reply = "550 \x1b[31mred\x1b[0m";
  h.client.name = "Evil\nClient";
  const std::string text = FormatMailHistory(h);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_NE(text.find("client     1 (Evil Client)\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace campaignd::admin
