#include "render/mailbox.h"

#include <gtest/gtest.h>

namespace campaignd::render {
namespace {

Mailbox Parse(std::string_view text) {
  Result<Mailbox> m = ParseMailbox(text);
  EXPECT_TRUE(m.ok()) << text << ": " << m.status().ToString();
  return std::move(m).value();
}

std::string Field(std::string_view text) {
  Result<std::string> field = MailboxField("From", Parse(text));
  EXPECT_TRUE(field.ok()) << field.status().ToString();
  return field.ok() ? *field : "";
}

TEST(ParseMailboxTest, AcceptsTheUsualForms) {
  Mailbox plain = Parse("news@shop.example");
  EXPECT_EQ(plain.display_name, "");
  EXPECT_EQ(plain.address.str(), "news@shop.example");
  Mailbox named = Parse("  Shop News <News@Shop.example>  ");
  EXPECT_EQ(named.display_name, "Shop News");
  EXPECT_EQ(named.address.str(), "news@shop.example");
  Mailbox quoted = Parse("\"M\\\"uller, Hans\" < hans@shop.example >");
  EXPECT_EQ(quoted.display_name, "M\"uller, Hans");
  Mailbox bare = Parse("<hans@shop.example>");
  EXPECT_EQ(bare.display_name, "");
}

TEST(ParseMailboxTest, AddressIsInsideTheLastAngleBrackets) {
  Mailbox m = Parse("Evil <evil@attacker.example>, Joe <news@shop.example>");
  EXPECT_EQ(m.address.str(), "news@shop.example");
  EXPECT_EQ(m.display_name, "Evil <evil@attacker.example>, Joe");
}

TEST(ParseMailboxTest, RefusesInvalidAddresses) {
  EXPECT_TRUE(ParseMailbox("Shop <not an address>").status().IsInvalidArgument());
  EXPECT_TRUE(ParseMailbox("").status().IsInvalidArgument());
  EXPECT_TRUE(ParseMailbox("a@b.example, c@d.example").status().IsInvalidArgument());
  EXPECT_TRUE(ParseMailbox("Shop <>").status().IsInvalidArgument());
}

TEST(ParseMailboxTest, ControlCharactersCannotSplitTheField) {
  Mailbox m = Parse("Shop\r\nBcc: x@evil.example <news@shop.example>");
  EXPECT_EQ(m.display_name, "ShopBcc: x@evil.example");
  EXPECT_TRUE(
      ParseMailbox("news@shop.example\r\nBcc: x@evil.example").status().IsInvalidArgument());
}

TEST(MailboxFieldTest, WritesPlainQuotedOrEncodedDisplayNames) {
  EXPECT_EQ(Field("news@shop.example"), "From: news@shop.example\r\n");
  EXPECT_EQ(Field("Shop News <news@shop.example>"), "From: Shop News <news@shop.example>\r\n");
  EXPECT_EQ(Field("Shop, Inc. <news@shop.example>"),
            "From: \"Shop, Inc.\" <news@shop.example>\r\n");
  EXPECT_EQ(Field("\"Say \\\"hi\\\"\" <news@shop.example>"),
            "From: \"Say \\\"hi\\\"\" <news@shop.example>\r\n");
  EXPECT_EQ(Field("Jörg <news@shop.example>"),
            "From: =?UTF-8?B?SsO2cmc=?= <news@shop.example>\r\n");
  EXPECT_EQ(Field("=?UTF-8?Q?x?= <news@shop.example>"),
            "From: =?UTF-8?B?PT9VVEYtOD9RP3g/PQ==?= <news@shop.example>\r\n");
}

TEST(MailboxFieldTest, IdnDomainIsPunycoded) {
  EXPECT_EQ(Field("Bücher <info@bücher.example>"),
            "From: =?UTF-8?Q?B=C3=BCcher?= <info@xn--bcher-kva.example>\r\n");
}

TEST(MailboxFieldTest, SmuggledAddressStaysInTheQuotedName) {
  EXPECT_EQ(Field("Evil <evil@attacker.example>, Joe <news@shop.example>"),
            "From: \"Evil <evil@attacker.example>, Joe\" <news@shop.example>\r\n");
}

}  // namespace
}  // namespace campaignd::render
