#include "auth/authorize.h"

#include <gtest/gtest.h>

namespace campaignd::auth {
namespace {

// The wrong_tag order itself is tested end to end through ops::HandleRequest
// (ops/operation_test.cc) against a real store; here: the CIDR matcher.

TEST(IpInCidrTest, MatchesV4Ranges) {
  EXPECT_TRUE(IpInCidr("127.0.0.1", "127.0.0.0/8"));
  EXPECT_TRUE(IpInCidr("127.255.255.255", "127.0.0.0/8"));
  EXPECT_FALSE(IpInCidr("128.0.0.1", "127.0.0.0/8"));
  EXPECT_TRUE(IpInCidr("10.1.2.3", "10.1.2.3"));
  EXPECT_FALSE(IpInCidr("10.1.2.4", "10.1.2.3"));
  EXPECT_TRUE(IpInCidr("192.168.1.130", "192.168.1.128/25"));
  EXPECT_FALSE(IpInCidr("192.168.1.127", "192.168.1.128/25"));
  EXPECT_TRUE(IpInCidr("8.8.8.8", "0.0.0.0/0"));
}

TEST(IpInCidrTest, MatchesV6AndMappedV4) {
  EXPECT_TRUE(IpInCidr("::1", "::1/128"));
  EXPECT_FALSE(IpInCidr("::2", "::1/128"));
  EXPECT_TRUE(IpInCidr("2001:db8::42", "2001:db8::/32"));
  EXPECT_FALSE(IpInCidr("2001:db9::42", "2001:db8::/32"));
  EXPECT_TRUE(IpInCidr("::ffff:127.0.0.1", "127.0.0.0/8"));
  EXPECT_TRUE(IpInCidr("127.0.0.1", "::ffff:127.0.0.0/104"));
  EXPECT_FALSE(IpInCidr("::1", "127.0.0.0/8"));
  EXPECT_FALSE(IpInCidr("127.0.0.1", "::1/128"));
}

TEST(IpInCidrTest, MalformedInputNeverMatches) {
  EXPECT_FALSE(IpInCidr("", "0.0.0.0/0"));
  EXPECT_FALSE(IpInCidr("localhost", "0.0.0.0/0"));
  EXPECT_FALSE(IpInCidr("127.0.0.1", "127.0.0.0/33"));
  EXPECT_FALSE(IpInCidr("127.0.0.1", "127.0.0.0/"));
  EXPECT_FALSE(IpInCidr("127.0.0.1", "127.0.0.0/-1"));
  EXPECT_FALSE(IpInCidr("127.0.0.1", "127.0.0.0/8x"));
  EXPECT_FALSE(IpInCidr("::1", "::/129"));
}

TEST(IpInCidrTest, ValidatesCidrs) {
  for (const char* ok : {"127.0.0.0/8", "::1/128", "10.0.0.1", "::/0", "2001:db8::/32"}) {
    EXPECT_TRUE(IsValidCidr(ok)) << ok;
  }
  for (const char* bad : {"", "127.0.0.0/33", "1.2.3/8", "::/129", "abc", "1.2.3.4/ 8"}) {
    EXPECT_FALSE(IsValidCidr(bad)) << bad;
  }
}

TEST(SourceNetworkTest, Ipv4ItselfIpv6ItsSlash64) {
  EXPECT_EQ(SourceNetwork("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(SourceNetwork("::ffff:192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(SourceNetwork("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  EXPECT_EQ(SourceNetwork("2001:db8:1:2::1"), SourceNetwork("2001:db8:1:2:ffff::9"));
  EXPECT_NE(SourceNetwork("2001:db8:1:2::1"), SourceNetwork("2001:db8:1:3::1"));
  EXPECT_EQ(SourceNetwork("::1"), "::/64");
  EXPECT_EQ(SourceNetwork("not-an-ip"), "not-an-ip");
}

}  // namespace
}  // namespace campaignd::auth
