#include "deliver/smtp_transcript.h"

#include <gtest/gtest.h>

namespace campaignd::deliver {
namespace {

TEST(SmtpTranscriptTest, KeepsTheLastReplyAndItsCommand) {
  SmtpTranscript t;
  EXPECT_FALSE(t.heard_anything());
  t.OnReplyLine("220 relay ESMTP\r\n");
  EXPECT_EQ(t.last_code(), 220);
  EXPECT_EQ(t.last_reply_command(), "");
  t.OnCommandLine("EHLO me\r\n");
  t.OnReplyLine("250-relay\r\n");
  EXPECT_EQ(t.last_code(), 220) << "a multi-line reply counts when complete";
  t.OnReplyLine("250-PIPELINING\r\n");
  t.OnReplyLine("250 SIZE 1000\r\n");
  EXPECT_EQ(t.last_code(), 250);
  EXPECT_EQ(t.last_reply(), "250 relay PIPELINING SIZE 1000");
  EXPECT_EQ(t.last_reply_command(), "EHLO");
  t.OnCommandLine("RCPT TO:<a@b.example>\r\n");
  t.OnReplyLine("550 5.1.1 <a@b.example>: Recipient address rejected\r\n");
  EXPECT_EQ(t.last_reply(), "550 5.1.1 <a@b.example>: Recipient address rejected");
  EXPECT_EQ(t.last_reply_command(), "RCPT");
  EXPECT_TRUE(t.heard_anything());
}

TEST(SmtpTranscriptTest, SeveralLinesInOneCallback) {
  SmtpTranscript t;
  t.OnReplyLine("250-a\r\n250 b\r\n");
  EXPECT_EQ(t.last_reply(), "250 a b");
}

TEST(SmtpTranscriptTest, SaslContinuationStaysAuthAndIsNotStored) {
  SmtpTranscript t;
  t.OnCommandLine("AUTH LOGIN\r\n");
  t.OnReplyLine("334 VXNlcm5hbWU6\r\n");
  t.OnCommandLine("c2VjcmV0\r\n");
  t.OnReplyLine("535 5.7.8 Authentication credentials invalid\r\n");
  EXPECT_EQ(t.last_reply_command(), "AUTH");
  EXPECT_EQ(t.last_reply().find("c2VjcmV0"), std::string::npos);
}

TEST(SmtpTranscriptTest, IgnoresTheReplyToQuit) {
  SmtpTranscript t;
  t.OnCommandLine("QUIT\r\n");
  t.OnReplyLine("221 2.0.0 Bye\r\n");
  EXPECT_EQ(t.last_code(), 0);
  t.OnReplyLine("220 next session\r\n");
  EXPECT_EQ(t.last_code(), 220);
}

TEST(SmtpTranscriptTest, CapsHugeReplies) {
  SmtpTranscript t;
  std::string line = "250-" + std::string(1000, 'x') + "\r\n";
  for (int i = 0; i < 10; ++i) t.OnReplyLine(line);
  t.OnReplyLine("250 end\r\n");
  EXPECT_LE(t.last_reply().size(), limits::kMaxReplyTextBytes);
}

SmtpTranscript After(std::string_view command, std::string_view reply) {
  SmtpTranscript t;
  t.OnReplyLine("220 hi\r\n");
  if (!command.empty()) t.OnCommandLine(command);
  t.OnReplyLine(reply);
  return t;
}

TEST(ClassifySmtpOutcomeTest, Delivered) {
  SmtpTranscript t = After("DATA\r\n", "250 2.0.0 Ok: queued as 4F9Q\r\n");
  DeliveryResult r = ClassifySmtpOutcome(true, 250, t, "No error");
  EXPECT_EQ(r.kind, DeliveryKind::kDelivered);
  EXPECT_EQ(r.smtp_code, 250);
  EXPECT_EQ(r.reply, "250 2.0.0 Ok: queued as 4F9Q");
}

TEST(ClassifySmtpOutcomeTest, FiveHundredsForTheMessageArePermanent) {
  for (const char* command : {"MAIL FROM:<a@b>\r\n", "RCPT TO:<a@b>\r\n", "DATA\r\n"}) {
    SmtpTranscript t = After(command, "550 5.1.1 no such user\r\n");
    DeliveryResult r = ClassifySmtpOutcome(false, 550, t, "Failed sending data to the peer");
    EXPECT_EQ(r.kind, DeliveryKind::kPermanentFailure) << command;
    EXPECT_EQ(r.smtp_code, 550);
    EXPECT_EQ(r.reply, "550 5.1.1 no such user");
    // Only a refused MAIL FROM is the sender's problem, not the recipient's.
    EXPECT_EQ(r.sender_refused, std::string_view(command).starts_with("MAIL")) << command;
  }
}

TEST(ClassifySmtpOutcomeTest, FourHundredsAreTemporary) {
  SmtpTranscript t = After("RCPT TO:<a@b>\r\n", "451 4.3.0 try later\r\n");
  DeliveryResult r = ClassifySmtpOutcome(false, 451, t, "x");
  EXPECT_EQ(r.kind, DeliveryKind::kTemporaryFailure);
  EXPECT_EQ(r.smtp_code, 451);
  EXPECT_EQ(r.reply, "451 4.3.0 try later");
}

TEST(ClassifySmtpOutcomeTest, AuthProblemsAreTemporaryAndSaySo) {
  for (auto [command, reply, code] :
       {std::tuple{"AUTH PLAIN x\r\n", "535 5.7.8 Authentication credentials invalid\r\n", 535},
        std::tuple{"MAIL FROM:<a@b>\r\n", "530 5.7.0 Authentication required\r\n", 530},
        std::tuple{"AUTH LOGIN\r\n", "504 5.5.4 Unrecognized authentication type\r\n", 504}}) {
    DeliveryResult r = ClassifySmtpOutcome(false, code, After(command, reply), "Login denied");
    EXPECT_EQ(r.kind, DeliveryKind::kTemporaryFailure) << reply;
    EXPECT_EQ(r.smtp_code, code);
    EXPECT_NE(r.reply.find(std::string_view(reply).substr(0, 8)), std::string::npos);
    EXPECT_NE(r.reply.find("recipient is not at fault"), std::string::npos);
  }
}

TEST(ClassifySmtpOutcomeTest, FiveHundredsBeforeTheMessageAreTemporary) {
  DeliveryResult greeting = ClassifySmtpOutcome(false, 554, After("", "554 go away\r\n"), "x");
  EXPECT_EQ(greeting.kind, DeliveryKind::kTemporaryFailure);
  EXPECT_EQ(greeting.smtp_code, 554);
  DeliveryResult ehlo = ClassifySmtpOutcome(false, 500, After("HELO me\r\n", "500 no\r\n"), "x");
  EXPECT_EQ(ehlo.kind, DeliveryKind::kTemporaryFailure);
}

TEST(ClassifySmtpOutcomeTest, ConnectionFailuresCarryTheErrorText) {
  SmtpTranscript none;
  DeliveryResult r = ClassifySmtpOutcome(false, 0, none, "Couldn't connect to server: refused");
  EXPECT_EQ(r.kind, DeliveryKind::kTemporaryFailure);
  EXPECT_EQ(r.smtp_code, 0);
  EXPECT_EQ(r.reply, "Couldn't connect to server: refused");
  // The relay hung up after 354: no failing reply, so the error text decides.
  SmtpTranscript mid_data = After("DATA\r\n", "354 go ahead\r\n");
  DeliveryResult lost = ClassifySmtpOutcome(false, 354, mid_data, "Failure when receiving data");
  EXPECT_EQ(lost.kind, DeliveryKind::kTemporaryFailure);
  EXPECT_EQ(lost.smtp_code, 0);
  EXPECT_EQ(lost.reply, "Failure when receiving data");
}

}  // namespace
}  // namespace campaignd::deliver
