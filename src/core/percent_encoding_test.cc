#include "core/percent_encoding.h"

#include <gtest/gtest.h>

namespace campaignd {
namespace {

TEST(PercentEncodeTest, DefaultKeepsOnlyRfc3986Unreserved) {
  EXPECT_EQ(PercentEncode("enqueued: 7K2M-1_a.b~"), "enqueued%3A%207K2M-1_a.b~");
  EXPECT_EQ(PercentEncode("a+b&c=d/\xC3\xBC"), "a%2Bb%26c%3Dd%2F%C3%BC");
  EXPECT_EQ(PercentEncode("john@example.com"), "john%40example.com");
}

TEST(PercentEncodeTest, KeepsOnlyLettersDigitsAndTheGivenSet) {
  EXPECT_EQ(PercentEncode("a-b c\r\n<\xC3\xBC>", "-"), "a-b%20c%0D%0A%3C%C3%BC%3E");
  EXPECT_EQ(PercentEncode("x%y", ""), "x%25y");
  EXPECT_EQ(PercentEncode("mail.example.com_x", ".-"), "mail.example.com%5Fx");
  EXPECT_EQ(PercentEncode(std::string_view("\0\xFF", 2), ""), "%00%FF");
  EXPECT_EQ(PercentEncode(""), "");
}

TEST(AppendHexEscapeTest, UpperCaseHexAfterTheMarker) {
  std::string out = "x";
  AppendHexEscape('=', '=', &out);
  AppendHexEscape('\n', '%', &out);
  AppendHexEscape('\xAB', '%', &out);
  EXPECT_EQ(out, "x=3D%0A%AB");
}

}  // namespace
}  // namespace campaignd
