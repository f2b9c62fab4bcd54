#include "core/token.h"

#include <gtest/gtest.h>

namespace campaignd {
namespace {

struct Row {
  Token token;
  const char* wire;
};

// Row by row: the spelling of every token, as clients match it.
constexpr Row kRows[] = {
    {Token::kOk, "ok"},
    {Token::kEnqueued, "enqueued"},
    {Token::kSending, "sending"},
    {Token::kSent, "sent"},
    {Token::kCouldNotBeSent, "could_not_be_sent"},
    {Token::kVetoed, "vetoed"},
    {Token::kWrongMailingStatus, "wrong_mailing_status"},
    {Token::kWrongMailingType, "wrong_mailing_type"},
    {Token::kBlacklisted, "blacklisted"},
    {Token::kTooManyBounces, "too_many_bounces"},
    {Token::kFiltered, "filtered"},
    {Token::kNotFound, "not_found"},
    {Token::kUnsubscribed, "unsubscribed"},
    {Token::kDuplicate, "duplicate"},
    {Token::kWrongId, "wrong_id"},
    {Token::kMissingId, "missing_id"},
    {Token::kSyntaxError, "syntax_error"},
    {Token::kWrongTag, "wrong_tag"},
    {Token::kFileUploadFailed, "file_upload_failed"},
    {Token::kSystemError, "system_error"},
};

TEST(TokenTest, SpellingRoundTrips) {
  for (const Row& row : kRows) {
    EXPECT_EQ(TokenName(row.token), row.wire);
    ASSERT_TRUE(ParseToken(row.wire).has_value()) << row.wire;
    EXPECT_EQ(*ParseToken(row.wire), row.token);
  }
  EXPECT_FALSE(ParseToken("Enqueued").has_value());
  EXPECT_FALSE(ParseToken("").has_value());
}

TEST(TokenTest, BodyIsTokenOrTokenColonSpaceDetail) {
  EXPECT_EQ(Reply::Success(Token::kOk).Body(), "ok");
  EXPECT_EQ(Reply::Success(Token::kEnqueued, "1-2-ABC").Body(), "enqueued: 1-2-ABC");
  EXPECT_EQ(Reply::WrongTag(502).Body(), "wrong_tag: 502");
  EXPECT_EQ(Reply::Success(Token::kOk, "already_blacklisted").Body(), "ok: already_blacklisted");
  EXPECT_FALSE(Reply::WrongTag(501).success);
}

}  // namespace
}  // namespace campaignd
