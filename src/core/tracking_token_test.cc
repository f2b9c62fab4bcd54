#include "core/tracking_token.h"

#include <gtest/gtest.h>

namespace campaignd {
namespace {

const TrackingKey kKey = DeriveTrackingKey("client secret");

TrackingToken Link(int index, std::string url = "") {
  return TrackingToken{7, 123456789, 42, index, std::move(url)};
}

Result<TrackingToken> RoundTrip(const std::string& text, const TrackingKey& key = kKey) {
  auto parsed = ParseTrackingToken(text);
  if (!parsed.ok()) return parsed.status();
  if (!VerifyTrackingToken(*parsed, key)) return Status::InvalidArgument("bad mac");
  return parsed->token;
}

TEST(TrackingTokenTest, RoundTripsOpenLinkAndPersonalisedUrl) {
  for (const TrackingToken& t : {Link(TrackingToken::kOpen), Link(0), Link(17),
                                 Link(3, "https://shop.example/u?id=Jos%C3%A9&x=1")}) {
    const std::string text = EncodeTrackingToken(t, kKey);
    EXPECT_EQ(
        text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos)
        << text;
    auto back = RoundTrip(text);
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_EQ(*back, t);
  }
}

TEST(TrackingTokenTest, StaticLinkTokenIsShort) {
  EXPECT_LE(EncodeTrackingToken(Link(5), kKey).size(), 32u);
}

TEST(TrackingTokenTest, EveryAlteredCharacterIsRefused) {
  const std::string text = EncodeTrackingToken(Link(2, "https://a.example/x"), kKey);
  for (std::size_t i = 0; i < text.size(); ++i) {
    for (char c : {'A', 'z', '0', '-', '_'}) {
      if (text[i] == c) continue;
      std::string altered = text;
      altered[i] = c;
      EXPECT_FALSE(RoundTrip(altered).ok()) << altered;
    }
  }
}

TEST(TrackingTokenTest, TruncatedOrExtendedIsRefused) {
  const std::string text = EncodeTrackingToken(Link(1), kKey);
  for (std::size_t n = 0; n < text.size(); ++n)
    EXPECT_FALSE(RoundTrip(text.substr(0, n)).ok()) << n;
  EXPECT_FALSE(RoundTrip(text + "A").ok());
  EXPECT_FALSE(RoundTrip(text + "AA").ok());
}

TEST(TrackingTokenTest, OtherClientsKeyIsRefused) {
  const std::string text = EncodeTrackingToken(Link(1), kKey);
  EXPECT_FALSE(RoundTrip(text, DeriveTrackingKey("another secret")).ok());
}

TEST(TrackingTokenTest, SyntaxErrors) {
  for (std::string_view bad :
       {"", "====", "a.b", "abc=", "AAAAAAAAAAAAAAAAAAAAAAAAAAAA", "%41%41", "ÄÖÜ"}) {
    EXPECT_FALSE(ParseTrackingToken(bad).ok()) << bad;
  }
  EXPECT_FALSE(ParseTrackingToken(std::string(TrackingToken::kMaxChars + 1, 'A')).ok());
}

TEST(TrackingTokenTest, KeyDependsOnSecret) {
  EXPECT_NE(DeriveTrackingKey("a"), DeriveTrackingKey("b"));
  EXPECT_EQ(DeriveTrackingKey("a"), DeriveTrackingKey("a"));
}

}  // namespace
}  // namespace campaignd
