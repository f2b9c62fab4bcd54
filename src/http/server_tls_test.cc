#include <gtest/gtest.h>

#include "http/http_testutil.h"
#include "testing/self_signed_cert.h"

namespace campaignd::http::testing {
namespace {

class ServerOriginTest : public ServerTestBase {};

TEST_F(ServerOriginTest, TlsListenerMarksHttps) {
  campaignd::testing::SelfSignedCert cert;
  ASSERT_TRUE(cert.ok());
  ServerOptions options = LoopbackOptions();
  options.tls = TlsListenerOptions{"127.0.0.1:0", cert.cert(), cert.key()};
  StartServer(options);
  ASSERT_NE(server_->TlsBoundPort(), 0);

  TestClient tls(server_->TlsBoundPort(), /*tls=*/true);
  ASSERT_TRUE(tls.Send("GET /http/form/C/nop HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_EQ(BodyOf(tls.ReadResponse().value_or("")), "ok");
  ASSERT_TRUE(tls.Send("GET /http/form/C/nop HTTP/1.1\r\nHost: t\r\n\r\n"));  // keep-alive
  EXPECT_EQ(BodyOf(tls.ReadResponse().value_or("")), "ok");
  EXPECT_EQ(StatusOf(RoundTrip("GET /http/form/C/nop HTTP/1.1\r\nHost: t\r\n\r\n")), 200);

  auto calls = handler_.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].info.protocol, "https");
  EXPECT_EQ(calls[1].info.protocol, "https");
  EXPECT_EQ(calls[2].info.protocol, "http");
}

TEST_F(ServerOriginTest, MissingCertificateIsAClearStatus) {
  ServerOptions options = LoopbackOptions();
  options.tls = TlsListenerOptions{"127.0.0.1:0", "/nonexistent/cert.pem", "/nonexistent/key.pem"};
  Server server(options, [](const auth::RequestInfo&, const Params&) { return ops::Answer{}; });
  const Status status = server.Start();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("/nonexistent/cert.pem"), std::string::npos);
}

const char kForwarded[] =
    "GET /http/form/C/nop HTTP/1.1\r\nHost: t\r\n"
    "X-Forwarded-For: 198.51.100.1, 203.0.113.7\r\nX-Forwarded-Proto: https\r\n\r\n";

TEST_F(ServerOriginTest, TrustedProxyHeadersAreHonoured) {
  ServerOptions options = LoopbackOptions();
  options.trusted_proxies = {"127.0.0.0/8"};
  StartServer(options);
  EXPECT_EQ(StatusOf(RoundTrip(kForwarded)), 200);
  auto calls = handler_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].info.client_ip, "203.0.113.7");
  EXPECT_EQ(calls[0].info.protocol, "https");
}

TEST_F(ServerOriginTest, UntrustedPeerCannotForgeOrigin) {
  ServerOptions options = LoopbackOptions();
  options.trusted_proxies = {"10.0.0.0/8"};
  StartServer(options);
  EXPECT_EQ(StatusOf(RoundTrip(kForwarded)), 200);
  auto calls = handler_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].info.client_ip, "127.0.0.1");
  EXPECT_EQ(calls[0].info.protocol, "http");
}

}  // namespace
}  // namespace campaignd::http::testing
