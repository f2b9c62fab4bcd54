#include <gtest/gtest.h>

#include "http/http_testutil.h"

namespace campaignd::http::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class ServerLimitsTest : public ServerTestBase {
 protected:
  // Sends `request`, expects `status` with body syntax_error and
  // Connection: close, then the server closing the connection.
  void ExpectRefused(const std::string& request, int status) {
    TestClient client(port());
    client.Send(request);  // the server may stop reading early
    const auto response = client.ReadResponse();
    ASSERT_TRUE(response.has_value()) << "no answer for status " << status;
    EXPECT_EQ(StatusOf(*response), status) << *response;
    EXPECT_EQ(BodyOf(*response), "syntax_error");
    EXPECT_EQ(HeaderOf(*response, "Connection"), "close");
    EXPECT_EQ(HeaderOf(*response, "Content-Type"), "text/plain; charset=utf-8");
    EXPECT_TRUE(client.WaitForClose());
    EXPECT_TRUE(handler_.calls().empty());
  }
};

TEST_F(ServerLimitsTest, UrlTooLongIs414) {
  StartServer();
  const std::string target = "/http/form/C/nop?x=" + std::string(limits::kMaxUrlBytes, 'a');
  ExpectRefused("GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n", 414);
}

TEST_F(ServerLimitsTest, HugeUrlBeyondTheParserLimitIs414) {
  StartServer();
  const std::string target = "/http/form/C/nop?x=" + std::string(40 * 1024, 'a');
  ExpectRefused("GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n", 414);
}

TEST_F(ServerLimitsTest, UrlAtTheLimitIsServed) {
  StartServer();
  std::string target = "/http/form/C/nop?x=";
  target += std::string(limits::kMaxUrlBytes - target.size(), 'a');
  const std::string response = RoundTrip("GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(StatusOf(response), 200);
}

TEST_F(ServerLimitsTest, HeaderBlockTooLargeIs431) {
  StartServer();
  ExpectRefused("GET /http/form/C/nop HTTP/1.1\r\nHost: t\r\nX-Big: " +
                    std::string(limits::kMaxHeaderBytes, 'b') + "\r\n\r\n",
                431);
}

TEST_F(ServerLimitsTest, HeaderBlockFarTooLargeIs431) {
  StartServer();
  std::string headers;
  for (int i = 0; i < 100; ++i)
    headers += "X-H" + std::to_string(i) + ": " + std::string(500, 'h') + "\r\n";
  ExpectRefused("GET /http/form/C/nop HTTP/1.1\r\n" + headers + "\r\n", 431);
}

TEST_F(ServerLimitsTest, BodyTooLargeIs413) {
  StartServer();
  const std::string body(limits::kMaxBodyBytes + 1, 'x');
  ExpectRefused(
      "POST /http/form/C/nop HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\n"
      "Content-Length: " +
          std::to_string(body.size()) + "\r\n\r\n" + body,
      413);
}

TEST_F(ServerLimitsTest, ChunkedBodyTooLargeIs413) {
  ServerOptions options = LoopbackOptions();
  options.limits.max_body_bytes = 1000;
  StartServer(options);
  std::string chunked;
  for (int i = 0; i < 5; ++i) chunked += "12c\r\n" + std::string(300, 'y') + "\r\n";
  ExpectRefused("POST /http/form/C/nop HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
                    chunked + "0\r\n\r\n",
                413);
}

TEST_F(ServerLimitsTest, TooManyParametersIs413) {
  StartServer();
  std::string body;
  for (std::size_t i = 0; i <= limits::kMaxParams; ++i) body += "p" + std::to_string(i) + "=1&";
  ExpectRefused(
      "POST /http/form/C/nop HTTP/1.1\r\nHost: t\r\n"
      "Content-Type: application/x-www-form-urlencoded\r\n"
      "Content-Length: " +
          std::to_string(body.size()) + "\r\n\r\n" + body,
      413);
}

TEST_F(ServerLimitsTest, GarbageIsBadRequest) {
  StartServer();
  TestClient client(port());
  ASSERT_TRUE(client.Send("THIS IS NOT HTTP\r\n\r\n"));
  const auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(StatusOf(*response), 400);
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(ServerLimitsTest, SlowHeaderIsDisconnectedAfterTheTimeout) {
  ServerOptions options = LoopbackOptions();
  options.timeouts.header_read = milliseconds(1000);
  StartServer(options);
  TestClient client(port());
  const auto start = steady_clock::now();
  ASSERT_TRUE(client.Send("GET /http/form/C/nop HTTP/1.1\r\nHo"));
  EXPECT_TRUE(client.WaitForClose());
  const auto took = steady_clock::now() - start;
  EXPECT_GE(took, milliseconds(900));
  EXPECT_LT(took, milliseconds(2500));
  EXPECT_TRUE(handler_.calls().empty());
}

TEST_F(ServerLimitsTest, SlowBodyIsDisconnectedAfterTheTimeout) {
  ServerOptions options = LoopbackOptions();
  options.timeouts.body_read = milliseconds(500);
  StartServer(options);
  TestClient client(port());
  const auto start = steady_clock::now();
  ASSERT_TRUE(
      client.Send("POST /http/form/C/nop HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nab"));
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_LT(steady_clock::now() - start, milliseconds(2000));
  EXPECT_TRUE(handler_.calls().empty());
}

TEST_F(ServerLimitsTest, IdleKeepAliveIsClosedAfterTheIdleTimeout) {
  ServerOptions options = LoopbackOptions();
  options.timeouts.keep_alive_idle = milliseconds(300);
  StartServer(options);
  TestClient client(port());
  ASSERT_TRUE(client.Send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(client.ReadResponse().has_value());
  const auto start = steady_clock::now();
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_LT(steady_clock::now() - start, milliseconds(2000));
}

// RFC 9112 §6.3: a Transfer-Encoding other than one final "chunked" is
// 400 and the connection closes; what follows the header (a request
// smuggled in the "body") is never served.
TEST_F(ServerLimitsTest, BadTransferEncodingIs400AndNothingIsSmuggled) {
  StartServer();
  const std::string smuggled = "GET /http/form/SMUGGLED/nop HTTP/1.1\r\nHost: t\r\n\r\n";
  const std::string chunked_smuggle =
      std::to_string(smuggled.size()) + "\r\n" + smuggled + "\r\n0\r\n\r\n";
  const std::string framings[] = {
      "Transfer-Encoding: gzip, chunked\r\n",
      "Transfer-Encoding: chunked, gzip\r\n",
      "Transfer-Encoding: identity\r\n",
      "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
      "Transfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n",
      "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n",
      "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n",
  };
  for (const std::string& framing : framings) {
    TestClient client(port());
    client.Send("POST /http/form/C/nop HTTP/1.1\r\nHost: t\r\n" + framing + "\r\n" +
                chunked_smuggle + smuggled);
    const auto response = client.ReadResponse();
    ASSERT_TRUE(response.has_value()) << framing;
    EXPECT_EQ(StatusOf(*response), 400) << framing;
    EXPECT_EQ(HeaderOf(*response, "Connection"), "close") << framing;
    EXPECT_TRUE(client.WaitForClose()) << framing;
  }
  TestClient old(port());
  old.Send("POST /http/form/C/nop HTTP/1.0\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
           chunked_smuggle);
  const auto response = old.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(StatusOf(*response), 400);
  EXPECT_TRUE(old.WaitForClose());
  EXPECT_TRUE(handler_.calls().empty());
}

TEST_F(ServerLimitsTest, OneChunkedTransferEncodingIsServed) {
  StartServer();
  const std::string response = RoundTrip(
      "POST /http/form/C/nop HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: Chunked\r\n"
      "Content-Type: application/x-www-form-urlencoded\r\n\r\n3\r\na=1\r\n0\r\n\r\n");
  EXPECT_EQ(StatusOf(response), 200);
  ASSERT_EQ(handler_.calls().size(), 1u);
  EXPECT_EQ(handler_.calls()[0].params.Get("a"), "1");
}

}  // namespace
}  // namespace campaignd::http::testing
