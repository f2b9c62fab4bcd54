#include "events/report.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace campaignd::events {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(CAMPAIGND_BOUNCE_FIXTURES) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string_view SourceName(MailIdSource source) {
  switch (source) {
    case MailIdSource::kVerpRecipient:
      return "verp-recipient";
    case MailIdSource::kVerpReturnPath:
      return "verp-return-path";
    case MailIdSource::kVerpArfMailFrom:
      return "verp-arf-mail-from";
    case MailIdSource::kReturnedMailIdHeader:
      return "x-campaignd-mail-id";
    case MailIdSource::kReturnedMessageId:
      return "message-id";
  }
  return "?";
}

// Every field of a report, one per line, empty ones left out: the tests
// compare this text exactly, so a field that changes fails them.
std::string Describe(const InboundReport& r) {
  std::ostringstream out;
  auto field = [&](std::string_view name, std::string_view value) {
    if (!value.empty()) out << name << ": " << value << "\n";
  };
  field("kind", ReportKindName(r.kind));
  field("format", r.format);
  field("reporting_mta", r.reporting_mta);
  out << "recipients: " << r.recipients.size() << " of " << r.recipients_total
      << (r.truncated ? " (truncated)" : "") << (r.message_cut ? " (message cut)" : "") << "\n";
  for (const RecipientReport& e : r.recipients) {
    out << "- " << e.final_recipient << "\n";
    field("  original", e.original_recipient);
    field("  action", e.action);
    field("  status", e.status);
    field("  diagnostic", e.diagnostic);
    field("  remote_mta", e.remote_mta);
    out << "  category: " << BounceCategoryName(e.category) << " (" << e.rule << ")\n";
  }
  field("feedback_type", r.feedback_type);
  field("user_agent", r.user_agent);
  field("original_rcpt_to", r.original_rcpt_to);
  field("original_mail_from", r.original_mail_from);
  if (r.has_returned_message)
    out << "returned:" << (r.returned_is_report ? " (a report)" : "") << "\n";
  field("  to", r.returned_to);
  field("  return_path", r.returned_return_path);
  field("  message_id", r.returned_message_id);
  for (const MailIdCandidate& c : r.mail_ids) {
    out << "mail_id: " << c.mail_id.ToString() << " (" << SourceName(c.source) << ")\n";
  }
  return out.str();
}

std::string ParseFixture(const std::string& name) {
  Result<InboundReport> report = ParseReport(ReadFixture(name));
  if (!report.ok()) return "error: " + report.status().ToString();
  return Describe(*report);
}

struct FixtureCase {
  const char* file;
  const char* expected;
};

// Each fixture (modelled on the real format named in its file name) and
// every field the parser must read from it.
const FixtureCase kFixtures[] = {
    {"postfix_user_unknown.eml", R"(kind: dsn
format: rfc3464
reporting_mta: mail.example.org
recipients: 1 of 1
- nobody@example.org
  original: nobody@example.org
  action: failed
  status: 5.1.1
  diagnostic: 550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in virtual mailbox table
  remote_mta: mx1.example.org
  category: hard (user unknown)
returned:
  to: nobody@example.org
  return_path: bounces+1-9e4-7gq2m8xk4d0b3nza@bounce.shop.example
  message_id: 1-9E4-7GQ2M8XK4D0B3NZA@shop.example
mail_id: 1-9E4-7GQ2M8XK4D0B3NZA (verp-recipient)
)"},
    {"exim_dsn_mailbox_full.eml", R"(kind: dsn
format: rfc3464
reporting_mta: mx.example.net
recipients: 1 of 1
- full.box@example.net
  action: failed
  status: 5.0.0
  diagnostic: 552 5.2.2 Mailbox full: quota exceeded
  remote_mta: mx2.example.net
  category: soft (mailbox full)
returned:
  to: full.box@example.net
  return_path: bounces+2-1b-3n8p4r6s0v2w5x7y@bounce.shop.example
  message_id: 2-1B-3N8P4R6S0V2W5X7Y@shop.example
mail_id: 2-1B-3N8P4R6S0V2W5X7Y (verp-recipient)
)"},
    {"microsoft365.eml", R"(kind: dsn
format: rfc3464
reporting_mta: AM6PR05MB1234.eurprd05.prod.outlook.example
recipients: 1 of 1
- gone@contoso.example
  original: gone@contoso.example
  action: failed
  status: 5.1.10
  diagnostic: 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient gone@contoso.example not found by SMTP address lookup
  category: hard (user unknown)
returned:
  to: gone@contoso.example
  return_path: bounces+1-9e5-5c0d2e4f6g8h9j1k@bounce.shop.example
  message_id: 1-9E5-5C0D2E4F6G8H9J1K@shop.example
mail_id: 1-9E5-5C0D2E4F6G8H9J1K (verp-recipient)
)"},
    {"gmail.eml", R"(kind: dsn
format: rfc3464
reporting_mta: googlemail.example
recipients: 1 of 1
- no.such.person@gmail.example
  action: failed
  status: 5.1.1
  diagnostic: 550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. https://support.google.example/mail/?p=NoSuchUser a1si123456abc.42 - gsmtp
  remote_mta: gmail-smtp-in.l.google.example. (203.0.113.27, the server for the domain gmail.example.)
  category: hard (user unknown)
returned:
  to: no.such.person@gmail.example
  return_path: bounces+3-2f-0a1b2c3d4e5f6g7h@bounce.shop.example
  message_id: 3-2F-0A1B2C3D4E5F6G7H@shop.example
mail_id: 3-2F-0A1B2C3D4E5F6G7H (verp-recipient)
)"},
    {"qmail.eml", R"(kind: dsn
format: qmail
recipients: 2 of 2
- nobody@example.com
  action: failed
  status: 5.1.1
  diagnostic: Sorry, no mailbox here by that name. (#5.1.1)
  category: hard (user unknown)
- stuffed@example.com
  action: failed
  status: 5.2.2
  diagnostic: 203.0.113.40 does not like recipient. Remote host said: 552 5.2.2 <stuffed@example.com>: mailbox is full Giving up on 203.0.113.40.
  category: soft (mailbox full)
returned:
  to: nobody@example.com
  return_path: bounces+1-9e6-1m2n3p4q5r6s7t8v@bounce.shop.example
  message_id: 1-9E6-1M2N3P4Q5R6S7T8V@shop.example
mail_id: 1-9E6-1M2N3P4Q5R6S7T8V (verp-recipient)
)"},
    {"yahoo.eml", R"(kind: dsn
format: yahoo
recipients: 1 of 1
- nosuchaccount@yahoo.example
  action: failed
  diagnostic: 554: delivery error: dd This user doesn't have a yahoo.example account (nosuchaccount@yahoo.example) [0] - mta4012.mail.gq1.yahoo.example
  category: hard (user unknown)
returned:
  to: nosuchaccount@yahoo.example
  return_path: bounces+1-9e7-a1b2c3d4e5f6g7h8@bounce.shop.example
  message_id: 1-9E7-A1B2C3D4E5F6G7H8@shop.example
mail_id: 1-9E7-A1B2C3D4E5F6G7H8 (verp-recipient)
)"},
    {"exim_old.eml", R"(kind: dsn
format: exim
recipients: 1 of 1
- old.user@example.net
  action: failed
  diagnostic: SMTP error from remote mail server after RCPT TO:<old.user@example.net>: host mx.example.net [192.0.2.61]: 550 Unrouteable address
  category: hard (user unknown)
returned:
  to: old.user@example.net
  return_path: bounces+4-3g-9z8y7x6w5v4t3s2r@bounce.shop.example
  message_id: 4-3G-9Z8Y7X6W5V4T3S2R@shop.example
mail_id: 4-3G-9Z8Y7X6W5V4T3S2R (verp-recipient)
)"},
    {"exchange_text.eml", R"(kind: dsn
format: exchange
recipients: 1 of 1
- departed@fabrikam.example
  action: failed
  status: 5.1.1
  diagnostic: The e-mail account does not exist at the organization this message was sent to. Check the e-mail address, or contact the recipient directly to find out the correct address. <exch01.fabrikam.example #5.1.1>
  category: hard (user unknown)
returned:
  to: departed@fabrikam.example
  return_path: bounces+1-9e8-k9m8n7p6q5r4s3t2@bounce.shop.example
  message_id: 1-9E8-K9M8N7P6Q5R4S3T2@shop.example
mail_id: 1-9E8-K9M8N7P6Q5R4S3T2 (verp-recipient)
)"},
    {"arf_abuse.eml", R"(kind: complaint
format: arf
recipients: 0 of 0
feedback_type: abuse
user_agent: ExampleFBL/2.1
original_rcpt_to: complainer@mailbox-provider.example
original_mail_from: bounces+5-4h-2b3c4d5e6f7g8h9j@bounce.shop.example
returned:
  to: complainer@mailbox-provider.example
  return_path: bounces+5-4h-2b3c4d5e6f7g8h9j@bounce.shop.example
  message_id: 5-4H-2B3C4D5E6F7G8H9J@shop.example
mail_id: 5-4H-2B3C4D5E6F7G8H9J (verp-return-path)
)"},
    // A spam block says 5.7.1: soft, not hard (decision 0017).
    {"gmail_blocked.eml", R"(kind: dsn
format: rfc3464
reporting_mta: googlemail.example
recipients: 1 of 1
- reader@gmail.example
  action: failed
  status: 5.7.1
  diagnostic: 550-5.7.1 [198.51.100.7] Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked. b2si654321abc.7 - gsmtp
  remote_mta: gmail-smtp-in.l.google.example. (203.0.113.27, the server for the domain gmail.example.)
  category: soft (policy block)
returned:
  to: reader@gmail.example
  return_path: bounces+3-2g-4k5m6n7p8q9r0s1t@bounce.shop.example
  message_id: 3-2G-4K5M6N7P8Q9R0S1T@shop.example
mail_id: 3-2G-4K5M6N7P8Q9R0S1T (verp-recipient)
)"},
    {"postfix_delayed.eml", R"(kind: dsn
format: rfc3464
reporting_mta: mail.example.org
recipients: 1 of 1
- slow@example.org
  original: slow@example.org
  action: delayed
  status: 4.4.1
  diagnostic: connect to mx.example.org[192.0.2.80]:25: Connection timed out
  category: soft (action delayed)
returned:
  to: slow@example.org
  return_path: bounces+1-9ec-2v3w4x5y6z7a8b9c@bounce.shop.example
  message_id: 1-9EC-2V3W4X5Y6Z7A8B9C@shop.example
mail_id: 1-9EC-2V3W4X5Y6Z7A8B9C (verp-recipient)
)"},
    // A read receipt (RFC 8098) is automatic: ignored like an auto-reply.
    {"read_receipt.eml", "kind: auto_reply\nformat: mdn\nrecipients: 0 of 0\n"},
    {"autoreply_rfc3834.eml", "kind: auto_reply\nformat: Auto-Submitted\nrecipients: 0 of 0\n"},
    {"autoreply_outlook.eml", "kind: auto_reply\nformat: subject\nrecipients: 0 of 0\n"},
    {"autoreply_xautoreply.eml", "kind: auto_reply\nformat: X-Autoreply\nrecipients: 0 of 0\n"},
    // Two Content-Type fields, a boundary never closed, broken base64, an
    // unterminated returned message: read as far as it goes, no crash.
    {"malformed_mime.eml", R"(kind: dsn
format: fallback
recipients: 0 of 0
mail_id: 1-9E9-3Q4R5S6T7V8W9X0Y (verp-recipient)
)"},
    // The returned message is itself a bounce: nothing is attributed.
    {"bounce_of_bounce.eml", R"(kind: dsn
format: rfc3464
reporting_mta: relay.example.org
recipients: 1 of 1
- bounces+1-9ea-0p1q2r3s4t5v6w7x@bounce.shop.example
  action: failed
  status: 5.1.1
  diagnostic: 550 5.1.1 no such user
  category: hard (user unknown)
returned: (a report)
  to: bounces+1-9ea-0p1q2r3s4t5v6w7x@bounce.shop.example
)"},
};

TEST(ReportTest, EveryFixtureParsesToItsFields) {
  for (const FixtureCase& c : kFixtures) {
    EXPECT_EQ(ParseFixture(c.file), c.expected) << c.file;
  }
}

// GMime is initialised once, whichever thread comes first; parses then
// run at once on separate objects and give the same answers.
TEST(ReportTest, ParsesFromManyThreadsAtOnce) {
  std::vector<std::string> messages;
  std::vector<std::string> expected;
  for (const FixtureCase& c : kFixtures) {
    messages.push_back(ReadFixture(c.file));
    expected.push_back(c.expected);
  }
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        std::size_t i = static_cast<std::size_t>(t + round) % messages.size();
        Result<InboundReport> report = ParseReport(messages[i]);
        if (!report.ok() || Describe(*report) != expected[i]) ++mismatches;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// The report's own VERP address and the returned message's headers can
// name different mails: every ID is offered, the VERP one first.
TEST(ReportTest, MailIdsAreOrderedByTrust) {
  std::string message = ReadFixture("postfix_user_unknown.eml");
  const std::string verp_id = "1-9E4-7GQ2M8XK4D0B3NZA";
  const std::string other = "2-1B-3N8P4R6S0V2W5X7Y";
  std::size_t at = message.find("X-Campaignd-Mail-Id: " + verp_id);
  ASSERT_NE(at, std::string::npos);
  message.replace(at + 21, verp_id.size(), other);
  Result<InboundReport> report = ParseReport(message);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->mail_ids.size(), 2u);
  EXPECT_EQ(report->mail_ids[0].mail_id.ToString(), "1-9E4-7GQ2M8XK4D0B3NZA");
  EXPECT_EQ(report->mail_ids[0].source, MailIdSource::kVerpRecipient);
  EXPECT_EQ(report->mail_ids[1].mail_id.ToString(), other);
  EXPECT_EQ(report->mail_ids[1].source, MailIdSource::kReturnedMailIdHeader);
}

TEST(ReportTest, FeedbackOtherThanAbuseIsNoComplaint) {
  std::string message = ReadFixture("arf_abuse.eml");
  std::size_t at = message.find("Feedback-Type: abuse");
  message.replace(at, 20, "Feedback-Type: not-spam");
  Result<InboundReport> report = ParseReport(message);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->kind, ReportKind::kUnknown);
  EXPECT_EQ(report->format, "arf");
  EXPECT_EQ(report->feedback_type, "not-spam");
}

std::string ManyRecipientsReport(int count) {
  std::string m =
      "From: MAILER-DAEMON@mail.example.org\r\nTo: bounces@bounce.shop.example\r\n"
      "Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; "
      "mail.example.org\r\n";
  for (int i = 0; i < count; ++i) {
    m += "\r\nFinal-Recipient: rfc822; user" + std::to_string(i) +
         "@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n";
  }
  return m + "\r\n--b--\r\n";
}

TEST(ReportTest, TenThousandRecipientsKeepTheFirstHundredAndCountTheRest) {
  Result<InboundReport> report = ParseReport(ManyRecipientsReport(10000));
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->kind, ReportKind::kDsn);
  EXPECT_EQ(report->recipients.size(), 100u);
  EXPECT_EQ(report->recipients_total, 10000u);
  EXPECT_TRUE(report->truncated);
  EXPECT_EQ(report->recipients.front().final_recipient, "user0@example.org");
  EXPECT_EQ(report->recipients.back().final_recipient, "user99@example.org");
  ParseLimits few;
  few.max_recipients = 3;
  report = ParseReport(ManyRecipientsReport(5), few);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->recipients.size(), 3u);
  EXPECT_EQ(report->recipients_total, 5u);
}

TEST(ReportTest, ALongMessageIsCutAtTheLimit) {
  std::string message = ReadFixture("postfix_user_unknown.eml");
  ParseLimits small;
  small.max_message_bytes = message.find("Content-Description: Undelivered Message");
  Result<InboundReport> report = ParseReport(message + std::string(1000, 'x'), small);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->message_cut);
  EXPECT_EQ(report->recipients.size(), 1u);  // the report part came before the cut
  EXPECT_FALSE(report->has_returned_message);
}

// Groups that name nobody are counted, and only max_recipients of them go
// through GMime (each one did before: 1.7 million of them took 54 s).
TEST(ReportTest, GroupsNamingNobodyAreCountedNotParsed) {
  std::string m = ManyRecipientsReport(1);
  std::size_t end = m.rfind("\r\n--b--");
  std::string groups;
  for (int i = 0; i < 100000; ++i) groups += "\r\nx: y\r\n";
  m.insert(end, groups);
  Result<InboundReport> report = ParseReport(m);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->recipients.size(), 1u);
  EXPECT_EQ(report->recipients_total, 100001u);
  EXPECT_TRUE(report->truncated);
}

// A million tiny parts would cost GMime seconds and gigabytes: the message
// is cut before the part that passes the limit.
TEST(ReportTest, ManyPartsAreCut) {
  std::string m = ManyRecipientsReport(2);
  std::size_t end = m.rfind("--b--");
  std::string parts;
  for (int i = 0; i < 200000; ++i) parts += "--b\r\n\r\nx\r\n";
  m.insert(end, parts);
  Result<InboundReport> report = ParseReport(m);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->message_cut);
  EXPECT_EQ(report->recipients.size(), 2u);  // the report part came before the cut
  ParseLimits few;
  few.max_boundary_lines = 1;  // only the report part's "--b": its closing "--b--" is cut
  report = ParseReport(ManyRecipientsReport(2), few);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->message_cut);
  EXPECT_EQ(report->recipients_total, 2u);
}

// MIME nested far deeper than the walk goes (GMime stops at 1024 levels).
TEST(ReportTest, DeepNestingIsBounded) {
  std::string m = "From: MAILER-DAEMON@x.example\nSubject: x\nMIME-Version: 1.0\n";
  const int kLevels = 5000;
  for (int i = 0; i < kLevels; ++i) {
    m += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\n\n--b" +
         std::to_string(i) + "\n";
  }
  m += "Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n--r\n"
       "Content-Type: message/delivery-status\n\nReporting-MTA: dns; deep.example\n\n"
       "Final-Recipient: rfc822; deep@example.org\nAction: failed\n\n--r--\n";
  Result<InboundReport> report = ParseReport(m);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->recipients.empty());  // too deep to be looked at
}

TEST(ReportTest, NoMessageIsAnError) {
  EXPECT_TRUE(ParseReport("").status().IsInvalidArgument());
  EXPECT_TRUE(ParseReport(" \r\n\r\n").status().IsInvalidArgument());
}

TEST(ReportTest, GarbageIsUnknownNotACrash) {
  for (std::string_view bytes :
       {std::string_view("\0\0\0\xff\xfe", 5), std::string_view("no colon"),
        std::string_view("Content-Type: multipart/report; boundary=\n\n--\n"),
        std::string_view("Subject: hello\n\nbody\n")}) {
    Result<InboundReport> report = ParseReport(bytes);
    if (report.ok()) {
      EXPECT_EQ(report->kind, ReportKind::kUnknown);
      EXPECT_TRUE(report->recipients.empty());
    }
  }
}

// Encoded words can smuggle control characters and line breaks into a
// decoded value; the report holds none.
TEST(ReportTest, FieldsHoldNoControlCharacters) {
  std::string message = ReadFixture("postfix_user_unknown.eml");
  std::size_t at = message.find("Diagnostic-Code: smtp; 550");
  // "=?utf-8?b?...?=" of "bad\r\nX-Injected: 1\x01"
  message.insert(at + 23, "=?utf-8?b?YmFkDQpYLUluamVjdGVkOiAxAQ==?= ");
  Result<InboundReport> report = ParseReport(message);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->recipients.size(), 1u);
  const std::string& diagnostic = report->recipients[0].diagnostic;
  for (char c : diagnostic) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << diagnostic;
}

TEST(ReportTest, EximDelayWarningIsSoft) {
  std::string message = ReadFixture("exim_old.eml");
  std::size_t at = message.find("A message that you sent could not be delivered");
  std::size_t end = message.find("  old.user@example.net");
  message.replace(at, end - at,
                  "A message that you sent has not yet been delivered to one or more of its\n"
                  "recipients after more than 24 hours on the queue on relay.example.net.\n\n");
  Result<InboundReport> report = ParseReport(message);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->format, "exim-delay");
  ASSERT_EQ(report->recipients.size(), 1u);
  EXPECT_EQ(report->recipients[0].action, "delayed");
  EXPECT_EQ(report->recipients[0].category, BounceCategory::kSoft);
}

}  // namespace
}  // namespace campaignd::events
