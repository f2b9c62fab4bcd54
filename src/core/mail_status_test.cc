#include "core/mail_status.h"

#include <gtest/gtest.h>

namespace campaignd {
namespace {

constexpr MailStatus kAll[] = {
    MailStatus::kEnqueued,       MailStatus::kSending,  MailStatus::kSent,
    MailStatus::kCouldNotBeSent, MailStatus::kBlacklisted, MailStatus::kUnsubscribed,
    MailStatus::kTooManyBounces, MailStatus::kFiltered, MailStatus::kNotFound,
    MailStatus::kWrongMailingStatus, MailStatus::kVetoed};

TEST(MailStatusTest, NamesAreTheGetSendStatusTokens) {
  EXPECT_EQ(MailStatusName(MailStatus::kCouldNotBeSent), "could_not_be_sent");
  EXPECT_EQ(MailStatusToken(MailStatus::kTooManyBounces), Token::kTooManyBounces);
  for (MailStatus s : kAll) {
    auto parsed = ParseMailStatus(MailStatusName(s));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, s);
  }
  EXPECT_FALSE(ParseMailStatus("ok").has_value());
}

TEST(MailStatusTest, OnlyEnqueuedAndSendingAreOpen) {
  for (MailStatus s : kAll) {
    EXPECT_EQ(IsFinal(s), s != MailStatus::kEnqueued && s != MailStatus::kSending);
  }
}

TEST(MailStatusTest, TransitionsFollowTheDiagram) {
  EXPECT_TRUE(IsAllowedTransition(MailStatus::kEnqueued, MailStatus::kSending));
  EXPECT_TRUE(IsAllowedTransition(MailStatus::kSending, MailStatus::kSent));
  EXPECT_TRUE(IsAllowedTransition(MailStatus::kSending, MailStatus::kSending));
  EXPECT_TRUE(IsAllowedTransition(MailStatus::kEnqueued, MailStatus::kBlacklisted));
  EXPECT_FALSE(IsAllowedTransition(MailStatus::kSent, MailStatus::kSending));
  EXPECT_FALSE(IsAllowedTransition(MailStatus::kSending, MailStatus::kEnqueued));
  EXPECT_FALSE(IsAllowedTransition(MailStatus::kCouldNotBeSent, MailStatus::kSent));
}

}  // namespace
}  // namespace campaignd
