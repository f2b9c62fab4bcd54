#include "core/log_text.h"

#include <gtest/gtest.h>

namespace campaignd {
namespace {

TEST(LogTextTest, PlainTextAndUtf8StayAsTheyAre) {
  EXPECT_EQ(LogText("250 2.0.0 Ok: queued as 4Xyz"), "250 2.0.0 Ok: queued as 4Xyz");
  EXPECT_EQ(LogText("M\xC3\xBCller \xE2\x82\xAC \xF0\x9F\x93\xA7"),
            "M\xC3\xBCller \xE2\x82\xAC \xF0\x9F\x93\xA7");
  EXPECT_EQ(LogText(""), "");
}

TEST(LogTextTest, LineBreaksAndQuotesCannotForgeAField) {
  // A relay reply that tries to close reply="..." and start a new line.
  const std::string forged =
      "250 ok\" status=sent\r\n2024-01-01T00:00:00Z info [1] delivery mail=X status=sent";
  const std::string out = LogText(forged);
  EXPECT_EQ(out,
            "250 ok\\\" status=sent\\r\\n2024-01-01T00:00:00Z info [1] delivery mail=X "
            "status=sent");
  EXPECT_EQ(out.find('\n'), std::string::npos);
  EXPECT_EQ(out.find('\r'), std::string::npos);
  EXPECT_EQ(LogText("a\\\"b"), "a\\\\\\\"b");  // a \" cannot become an unescaped quote
  EXPECT_EQ(LogText("tab\there"), "tab\\there");
}

TEST(LogTextTest, EveryOtherControlBecomesAUnicodeEscape) {
  EXPECT_EQ(LogText(std::string_view("a\0b", 3)), "a\\u0000b");
  EXPECT_EQ(LogText("\x1B[31mred\x7F"), "\\u001b[31mred\\u007f");
  EXPECT_EQ(LogText("\x0B\x0C"), "\\u000b\\u000c");
  // C1 NEL, U+2028 and U+2029: line breaks to some log viewers.
  EXPECT_EQ(LogText("a\xC2\x85"
                    "b\xE2\x80\xA8"
                    "c\xE2\x80\xA9"),
            "a\\u0085b\\u2028c\\u2029");
}

TEST(LogTextTest, BytesThatAreNotUtf8BecomeLatin1Escapes) {
  EXPECT_EQ(LogText("caf\xE9"), "caf\\u00e9");
  EXPECT_EQ(LogText("\xC0\xAF"), "\\u00c0\\u00af");             // overlong '/'
  EXPECT_EQ(LogText("\xED\xA0\x80"), "\\u00ed\\u00a0\\u0080");  // a surrogate
  EXPECT_EQ(LogText("\xE2\x82"), "\\u00e2\\u0082");             // cut short
  EXPECT_EQ(LogText("\xF5\x80\x80\x80").find("\\u00f5"), 0u);   // above U+10FFFF
}

TEST(LogTextTest, LongTextIsCutAtACharacterBoundary) {
  EXPECT_EQ(LogText("abcdef", 4), "abcd...(2 more bytes)");
  EXPECT_EQ(LogText("ab\xC3\xBC", 3), "ab...(2 more bytes)");  // never half a character
  EXPECT_EQ(LogText("abc", 3), "abc");
  EXPECT_EQ(LogText(std::string(10000, 'x')).size(),
            limits::kMaxLoggedTextBytes + std::string("...(5904 more bytes)").size());
}

}  // namespace
}  // namespace campaignd
