#include "events/smtp_path.h"

#include <gtest/gtest.h>

#include <string>

namespace campaignd::events {
namespace {

TEST(ParsePathArgumentTest, PathAndParams) {
  auto a = ParsePathArgument("FROM:<a@b.example> SIZE=10 BODY=8BITMIME", "FROM");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->path, "a@b.example");
  EXPECT_EQ(a->params, (std::vector<std::string>{"SIZE=10", "BODY=8BITMIME"}));
  a = ParsePathArgument("from: <>", "FROM");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->path, "");
  EXPECT_TRUE(a->params.empty());
}

TEST(ParsePathArgumentTest, Malformed) {
  EXPECT_FALSE(ParsePathArgument("FROM:a@b.example", "FROM"));  // no brackets
  EXPECT_FALSE(ParsePathArgument("TO:<a@b.example>", "FROM"));
  EXPECT_FALSE(ParsePathArgument("FROM <a@b.example>", "FROM"));
  EXPECT_FALSE(ParsePathArgument("FROM:<a@b.example", "FROM"));
  EXPECT_FALSE(ParsePathArgument("FROM:<a<b@c.example>", "FROM"));
  EXPECT_FALSE(ParsePathArgument("FROM:<a@b.example>x", "FROM"));
  EXPECT_FALSE(ParsePathArgument("", "FROM"));
}

TEST(CheckMailboxTest, PlainVerpAddressPasses) {
  EXPECT_EQ(CheckMailbox("bounces+1-1-ZRPCCFKTB31DS84H@bounce.shop.example", false),
            PathProblem::kNone);
}

TEST(CheckMailboxTest, RoutingIsRefused) {
  EXPECT_EQ(CheckMailbox("@a.example,@b.example:user@c.example", false), PathProblem::kRouting);
  EXPECT_EQ(CheckMailbox("@a.example:user@c.example", false), PathProblem::kRouting);
  EXPECT_EQ(CheckMailbox("user%victim.example@bounce.example", false), PathProblem::kRouting);
  EXPECT_EQ(CheckMailbox("victim.example!user@bounce.example", false), PathProblem::kRouting);
  EXPECT_EQ(CheckMailbox("\"user@victim.example\"@bounce.example", false), PathProblem::kRouting);
  EXPECT_EQ(CheckMailbox("user@[192.0.2.1]", false), PathProblem::kRouting);
}

TEST(CheckMailboxTest, SyntaxAndLength) {
  EXPECT_EQ(CheckMailbox("", false), PathProblem::kSyntax);
  EXPECT_EQ(CheckMailbox("postmaster", false), PathProblem::kSyntax);  // no domain
  EXPECT_EQ(CheckMailbox("user@", false), PathProblem::kSyntax);
  EXPECT_EQ(CheckMailbox("@", false), PathProblem::kRouting);
  EXPECT_EQ(CheckMailbox("\"quoted user\"@bounce.example", false), PathProblem::kSyntax);
  EXPECT_EQ(CheckMailbox("a b@bounce.example", false), PathProblem::kSyntax);
  EXPECT_EQ(CheckMailbox("user@nodot", false), PathProblem::kSyntax);
  EXPECT_EQ(CheckMailbox(std::string(65, 'a') + "@bounce.example", false), PathProblem::kTooLong);
  EXPECT_EQ(CheckMailbox("a@" + std::string(250, 'b') + ".example", false), PathProblem::kTooLong);
  EXPECT_EQ(CheckMailbox(std::string(64, 'a') + "@" + std::string(190, 'b') + ".ex", false),
            PathProblem::kTooLong);  // 257 octets in all
}

TEST(CheckMailboxTest, NonAsciiNeedsSmtputf8) {
  EXPECT_EQ(CheckMailbox("bounces@b\xc3\xbc"
                         "cher.example",
                         false),
            PathProblem::kNotAscii);
  EXPECT_EQ(CheckMailbox("bounces@b\xc3\xbc"
                         "cher.example",
                         true),
            PathProblem::kNone);
  // core's Address has no non-ASCII local parts (nor has any VERP address).
  EXPECT_EQ(CheckMailbox("j\xc3\xb6rg@bounce.example", false), PathProblem::kNotAscii);
  EXPECT_EQ(CheckMailbox("j\xc3\xb6rg@bounce.example", true), PathProblem::kSyntax);
}

}  // namespace
}  // namespace campaignd::events
