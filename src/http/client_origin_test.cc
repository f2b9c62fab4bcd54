#include "http/client_origin.h"

#include <gtest/gtest.h>

namespace campaignd::http {
namespace {

const std::vector<std::string> kTrusted = {"10.0.0.0/8", "::1/128"};

TEST(ClientOriginTest, UntrustedPeerIgnoresForwardedHeaders) {
  ClientOrigin o = ResolveOrigin({"203.0.113.5", false, "198.51.100.7", "https"}, kTrusted);
  EXPECT_EQ(o.client_ip, "203.0.113.5");
  EXPECT_EQ(o.protocol, "http");
}

TEST(ClientOriginTest, TrustedProxyLastHopAndProto) {
  ClientOrigin o =
      ResolveOrigin({"10.1.2.3", false, "1.1.1.1, 198.51.100.7 ,203.0.113.9", "https"}, kTrusted);
  EXPECT_EQ(o.client_ip, "203.0.113.9");
  EXPECT_EQ(o.protocol, "https");
}

TEST(ClientOriginTest, TrustedProxyWithoutHeadersKeepsPeerAndListener) {
  ClientOrigin o = ResolveOrigin({"10.1.2.3", true, "", ""}, kTrusted);
  EXPECT_EQ(o.client_ip, "10.1.2.3");
  EXPECT_EQ(o.protocol, "https");
  o = ResolveOrigin({"10.1.2.3", true, "not-an-ip", "gopher"}, kTrusted);
  EXPECT_EQ(o.client_ip, "10.1.2.3");
  EXPECT_EQ(o.protocol, "https");
}

TEST(ClientOriginTest, TrustedProxyCanDowngradeToHttp) {
  ClientOrigin o = ResolveOrigin({"::1", true, "2001:db8::5", "HTTP"}, kTrusted);
  EXPECT_EQ(o.client_ip, "2001:db8::5");
  EXPECT_EQ(o.protocol, "http");
}

TEST(ClientOriginTest, MappedIpv4PeerIsCanonical) {
  ClientOrigin o = ResolveOrigin({"::ffff:10.9.9.9", false, "192.0.2.1", ""}, kTrusted);
  EXPECT_EQ(o.client_ip, "192.0.2.1");  // 10.9.9.9 is trusted once unmapped
  EXPECT_EQ(CanonicalIp("::ffff:192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(CanonicalIp("2001:DB8::1"), "2001:db8::1");
  EXPECT_EQ(CanonicalIp("garbage"), "garbage");
}

TEST(ClientOriginTest, NoTrustedProxies) {
  ClientOrigin o = ResolveOrigin({"10.1.2.3", false, "192.0.2.1", "https"}, {});
  EXPECT_EQ(o.client_ip, "10.1.2.3");
  EXPECT_EQ(o.protocol, "http");
}

}  // namespace
}  // namespace campaignd::http
