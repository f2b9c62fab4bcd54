#include "queue/outcome.h"

#include <gtest/gtest.h>

namespace campaignd::queue {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

store::Mail MailWithAttempts(int attempts, TimePoint created) {
  store::Mail m;
  m.id = 7;
  m.attempts = attempts;
  m.created_at = created;
  return m;
}

const TimePoint kT0 = FromUnixMillis(1'700'000'000'000);

TEST(OutcomeTest, BackoffDoublesFromOneMinuteToOneHour) {
  RetryPolicy p;
  EXPECT_EQ(BackoffAfter(1, p), seconds(60));
  EXPECT_EQ(BackoffAfter(2, p), seconds(120));
  EXPECT_EQ(BackoffAfter(3, p), seconds(240));
  EXPECT_EQ(BackoffAfter(6, p), seconds(1920));
  EXPECT_EQ(BackoffAfter(7, p), seconds(3600));
  EXPECT_EQ(BackoffAfter(100, p), seconds(3600));
}

TEST(OutcomeTest, DeliveredIsSent) {
  auto o = DecideDelivery(MailWithAttempts(0, kT0), {deliver::DeliveryKind::kDelivered, 250,
                                                      "250 2.0.0 Ok"},
                          kT0, RetryPolicy{});
  EXPECT_EQ(o.status, MailStatus::kSent);
  EXPECT_TRUE(o.attempted);
  EXPECT_FALSE(o.hard_bounce);
  EXPECT_EQ(o.reply, "250 2.0.0 Ok");
  EXPECT_EQ(o.mail_id, 7);
}

TEST(OutcomeTest, PermanentFailureBouncesOnlyOn5xx) {
  auto o = DecideDelivery(MailWithAttempts(0, kT0),
                          {deliver::DeliveryKind::kPermanentFailure, 550, "550 5.1.1 unknown"},
                          kT0, RetryPolicy{});
  EXPECT_EQ(o.status, MailStatus::kCouldNotBeSent);
  EXPECT_TRUE(o.hard_bounce);
  // A permanent failure that is not an SMTP 5xx (e.g. a bad file name) is
  // not the recipient's fault.
  o = DecideDelivery(MailWithAttempts(0, kT0),
                     {deliver::DeliveryKind::kPermanentFailure, 0, "bad mail id"}, kT0,
                     RetryPolicy{});
  EXPECT_EQ(o.status, MailStatus::kCouldNotBeSent);
  EXPECT_FALSE(o.hard_bounce);
}

TEST(OutcomeTest, RefusedSenderIsNoBounceOfTheRecipient) {
  // A relay answering 5xx to MAIL FROM (sender domain not allowed): the mail
  // cannot be sent, but the recipient must not move toward too_many_bounces.
  auto o = DecideDelivery(
      MailWithAttempts(0, kT0),
      {deliver::DeliveryKind::kPermanentFailure, 553, "553 5.7.1 sender not allowed", true}, kT0,
      RetryPolicy{});
  EXPECT_EQ(o.status, MailStatus::kCouldNotBeSent);
  EXPECT_EQ(o.reply, "553 5.7.1 sender not allowed");
  EXPECT_FALSE(o.hard_bounce);
}

TEST(OutcomeTest, TemporaryFailureIsRetriedWithBackoff) {
  auto o = DecideDelivery(MailWithAttempts(2, kT0),
                          {deliver::DeliveryKind::kTemporaryFailure, 451, "451 4.3.0 try later"},
                          kT0 + minutes(5), RetryPolicy{});
  EXPECT_EQ(o.status, MailStatus::kSending);
  EXPECT_TRUE(o.attempted);
  EXPECT_FALSE(o.hard_bounce);
  EXPECT_EQ(o.retry_at, kT0 + minutes(5) + seconds(240));  // third failure: 4 min
  EXPECT_EQ(o.reply, "451 4.3.0 try later");
}

TEST(OutcomeTest, LastAttemptAtTheLifetimeThenGiveUp) {
  RetryPolicy p;
  auto o = DecideDelivery(MailWithAttempts(20, kT0),
                          {deliver::DeliveryKind::kTemporaryFailure, 0, "connection refused"},
                          kT0 + hours(23) + minutes(30), p);
  EXPECT_EQ(o.status, MailStatus::kSending);
  EXPECT_EQ(o.retry_at, kT0 + hours(24));  // capped at the deadline
  o = DecideDelivery(MailWithAttempts(21, kT0),
                     {deliver::DeliveryKind::kTemporaryFailure, 0, "connection refused"},
                     kT0 + hours(24), p);
  EXPECT_EQ(o.status, MailStatus::kCouldNotBeSent);
  EXPECT_FALSE(o.hard_bounce);
  EXPECT_EQ(o.reply, "retries exhausted after 22 attempts; last reply: connection refused");
}

TEST(OutcomeTest, FinalCarriesTheReasonWithoutAnAttempt) {
  auto o = Final(MailWithAttempts(0, kT0), MailStatus::kBlacklisted, "recipient is blocklisted", kT0);
  EXPECT_EQ(o.status, MailStatus::kBlacklisted);
  EXPECT_FALSE(o.attempted);
  EXPECT_EQ(o.reply, "recipient is blocklisted");
}

}  // namespace
}  // namespace campaignd::queue
