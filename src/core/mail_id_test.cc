#include "core/mail_id.h"

#include <gtest/gtest.h>

namespace campaignd {
namespace {

TEST(MailIdTest, RoundTripsThroughText) {
  MailId id = MailId::Make(1, 123456, "secret-a");
  std::string text = id.ToString();
  auto parsed = MailId::Parse(text);
  ASSERT_TRUE(parsed.ok()) << text;
  EXPECT_EQ(*parsed, id);
  EXPECT_EQ(parsed->client_id(), 1);
  EXPECT_EQ(parsed->sequence(), 123456);
  EXPECT_TRUE(parsed->Verify("secret-a"));
}

TEST(MailIdTest, TextIsUrlSafeAndCaseInsensitive) {
  std::string text = MailId::Make(42, 9, "k").ToString();
  for (char c : text) {
    EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '-') << text;
  }
  std::string lower = text;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto parsed = MailId::Parse(lower);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->Verify("k"));
  EXPECT_EQ(parsed->ToString(), text);
}

TEST(MailIdTest, WrongSecretFails) {
  auto parsed = MailId::Parse(MailId::Make(1, 5, "secret-a").ToString());
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->Verify("secret-b"));
  EXPECT_FALSE(parsed->Verify(""));
}

TEST(MailIdTest, AlteredIdsFailVerification) {
  std::string text = MailId::Make(1, 5, "s").ToString();
  // Another sequence number with the same MAC.
  std::string other_seq = "1-6" + text.substr(text.find('-', 2));
  auto parsed = MailId::Parse(other_seq);
  ASSERT_TRUE(parsed.ok()) << other_seq;
  EXPECT_FALSE(parsed->Verify("s"));
  // Every single-character change of the MAC is caught.
  for (std::size_t i = text.size() - 16; i < text.size(); ++i) {
    std::string t = text;
    t[i] = t[i] == '0' ? '1' : '0';
    auto p = MailId::Parse(t);
    ASSERT_TRUE(p.ok());
    EXPECT_FALSE(p->Verify("s")) << t;
  }
}

// Found by tests/e2e/test_attacks.py: "01-1-<mac>" and "1-01-<mac>" were
// accepted as the genuine "1-1-<mac>" (the MAC covers the numbers, not their
// spelling), so an altered ID reached the mail. Only the canonical form parses.
TEST(MailIdTest, LeadingZerosAreRefused) {
  const std::string text = MailId::Make(1, 1, "s").ToString();
  const std::string mac = text.substr(4);
  ASSERT_TRUE(MailId::Parse("1-1-" + mac).ok());
  for (const std::string& altered : {"01-1-" + mac, "1-01-" + mac, "001-1-" + mac,
                                     "1-00001-" + mac}) {
    EXPECT_FALSE(MailId::Parse(altered).ok()) << altered;
  }
  EXPECT_TRUE(MailId::Parse(MailId::Make(32, 1024, "s").ToString()).ok());  // "10-100-..."
}

TEST(MailIdTest, MalformedTextIsRefused) {
  for (const char* bad : {"", "abc", "1-2", "1-2-", "1-2-SHORT", "0-1-0123456789ABCDEF",
                          "1-0-0123456789ABCDEF", "1-2-0123456789ABCDEU", "1-2-0123456789ABCDEF0",
                          "1_2_0123456789ABCDEF", "ZZZZZZZZZZZZZZ-1-0123456789ABCDEF",
                          "1-2-0123456789ABCDE\n", "1-2-3-0123456789ABCDEF"}) {
    EXPECT_FALSE(MailId::Parse(bad).ok()) << bad;
  }
}

TEST(MailIdTest, SecretsAreRandom) {
  EXPECT_EQ(NewMailIdSecret().size(), 32u);
  EXPECT_NE(NewMailIdSecret(), NewMailIdSecret());
}

}  // namespace
}  // namespace campaignd
