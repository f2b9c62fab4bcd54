#include "render/dkim_canonical.h"

#include <gtest/gtest.h>

namespace campaignd::render {
namespace {

// RFC 6376 §3.4.6, the example message.
constexpr std::string_view kExample =
    "A: X\r\n"
    "B : Y\t\r\n"
    "\tZ  \r\n"
    "\r\n"
    " C \r\n"
    "D \t E\r\n"
    "\r\n"
    "\r\n";

TEST(DkimCanonicalTest, Rfc6376Example) {
  Result<MessageParts> parts = SplitMessage(kExample);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_EQ(parts->fields.size(), 2u);
  EXPECT_EQ(parts->fields[0].name, "A");
  EXPECT_EQ(parts->fields[1].name, "B");
  EXPECT_EQ(parts->fields[1].raw, "B : Y\t\r\n\tZ  ");
  EXPECT_EQ(RelaxedHeader(parts->fields[0].raw), "a:X\r\n");
  EXPECT_EQ(RelaxedHeader(parts->fields[1].raw), "b:Y Z\r\n");
  EXPECT_EQ(RelaxedBody(parts->body), " C\r\nD E\r\n");
}

TEST(DkimCanonicalTest, RelaxedHeaderDetails) {
  EXPECT_EQ(RelaxedHeader("Subject:   hello \t world  "), "subject:hello world\r\n");
  EXPECT_EQ(RelaxedHeader("To:"), "to:\r\n");
  EXPECT_EQ(RelaxedHeader("X-Y:\r\n  folded\r\n\tvalue"), "x-y:folded value\r\n");
  EXPECT_EQ(RelaxedHeader("DKIM-Signature: a=1;\r\n b="), "dkim-signature:a=1; b=\r\n");
}

TEST(DkimCanonicalTest, RelaxedBodyDetails) {
  EXPECT_EQ(RelaxedBody(""), "");
  EXPECT_EQ(RelaxedBody("\r\n\r\n"), "");
  EXPECT_EQ(RelaxedBody("no final crlf"), "no final crlf\r\n");
  EXPECT_EQ(RelaxedBody("a  \r\n\r\n b\t\r\n \r\n"), "a\r\n\r\n b\r\n");
  // Lines already canonical are copied whole; the others byte by byte.
  EXPECT_EQ(RelaxedBody("one two\r\n three\r\n"), "one two\r\n three\r\n");
  EXPECT_EQ(RelaxedBody("x\r\n \t \r\n\r\ny \r\n"), "x\r\n\r\n\r\ny\r\n")
      << "blank lines before a non-empty one are kept, as empty lines";
  EXPECT_EQ(RelaxedBody("a\tb  c\r\n\t\r\n"), "a b c\r\n");
  EXPECT_EQ(RelaxedBody("x \r\n"), "x\r\n");
}

TEST(DkimCanonicalTest, SplitWithoutBody) {
  Result<MessageParts> parts = SplitMessage("From: a@b.example\r\nTo: c@d.example\r\n");
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->fields.size(), 2u);
  EXPECT_EQ(parts->body, "");
  Result<MessageParts> empty_body = SplitMessage("From: a@b.example\r\n\r\n");
  ASSERT_TRUE(empty_body.ok());
  EXPECT_EQ(empty_body->body, "");
}

TEST(DkimCanonicalTest, SplitRefusesBrokenHeaders) {
  EXPECT_TRUE(SplitMessage(" continuation first\r\n\r\n").status().IsInvalidArgument());
  EXPECT_TRUE(SplitMessage("no colon here\r\n\r\n").status().IsInvalidArgument());
}

}  // namespace
}  // namespace campaignd::render
