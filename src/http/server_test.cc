#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <thread>

#include "http/http_testutil.h"
#include "http/reply.h"

namespace campaignd::http::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class ServerTest : public ServerTestBase {};

TEST_F(ServerTest, ExactResponseBytesAndRequestInfo) {
  StartServer();
  const std::string response = RoundTrip(
      "GET /http/form/S3cret/sendEventMail?bmRecipientId=a+b@example.com&x=%C3%BC "
      "HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(response,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Cache-Control: no-store\r\nContent-Length: 2\r\n\r\nok");
  auto calls = handler_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].info.service, auth::Service::kForm);
  EXPECT_EQ(calls[0].info.code, "S3cret");
  EXPECT_EQ(calls[0].info.operation, "sendeventmail");
  EXPECT_EQ(calls[0].info.method, "GET");
  EXPECT_EQ(calls[0].info.protocol, "http");
  EXPECT_EQ(calls[0].info.client_ip, "127.0.0.1");
  EXPECT_EQ(calls[0].params.Get("bmRecipientId"), "a+b@example.com");
  EXPECT_EQ(calls[0].params.Get("x"), "\xC3\xBC");
}

TEST_F(ServerTest, TokenWithDetailHasNoTrailingNewline) {
  StartServer();
  handler_.SetAnswer(ops::Answer{Reply::Success(Token::kEnqueued, "7K2M-1-4F9Q"), {}});
  const std::string response =
      RoundTrip("GET /http/mail/M/sendeventmail HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(BodyOf(response), "enqueued: 7K2M-1-4F9Q");
  EXPECT_EQ(HeaderOf(response, "Content-Length"), "21");
  EXPECT_EQ(handler_.calls().at(0).info.service, auth::Service::kMail);
}

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  StartServer();
  TestClient client(port());
  ASSERT_TRUE(client.Send("GET /http/form/C/nop?n=1 HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto first = client.ReadResponse();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(BodyOf(*first), "ok");
  ASSERT_TRUE(
      client.Send("POST /http/form/C/nop HTTP/1.1\r\nHost: t\r\n"
                  "Content-Type: application/x-www-form-urlencoded\r\n"
                  "Content-Length: 3\r\n\r\nn=2"));
  auto second = client.ReadResponse();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(StatusOf(*second), 200);
  auto calls = handler_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1].info.method, "POST");
  EXPECT_EQ(calls[1].params.Get("n"), "2");
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  TestClient client(port());
  ASSERT_TRUE(
      client.Send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
                  "GET /nothing HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_EQ(StatusOf(client.ReadResponse().value_or("")), 200);
  EXPECT_EQ(StatusOf(client.ReadResponse().value_or("")), 404);
}

TEST_F(ServerTest, Http10ClosesUnlessKeepAlive) {
  StartServer();
  TestClient client(port());
  ASSERT_TRUE(client.Send("GET /http/form/C/nop HTTP/1.0\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << *response;
  EXPECT_TRUE(client.WaitForClose());

  TestClient keep(port());
  ASSERT_TRUE(keep.Send("GET /http/form/C/nop HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  response = keep.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(HeaderOf(*response, "Connection"), "keep-alive");
  ASSERT_TRUE(keep.Send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  EXPECT_EQ(BodyOf(keep.ReadResponse().value_or("")), "ok");
}

TEST_F(ServerTest, HealthAndNotFound) {
  StartServer();
  EXPECT_EQ(RoundTrip("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Cache-Control: no-store\r\nContent-Length: 2\r\n\r\nok");
  const std::string not_found = RoundTrip("GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(StatusOf(not_found), 404);
  EXPECT_EQ(HeaderOf(not_found, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(BodyOf(not_found), "");
  EXPECT_EQ(StatusOf(RoundTrip("GET /http/form/C HTTP/1.1\r\nHost: t\r\n\r\n")), 404);
  EXPECT_TRUE(handler_.calls().empty());
}

TEST_F(ServerTest, HeadGetsHeadersOnly) {
  StartServer();
  TestClient client(port());
  ASSERT_TRUE(
      client.Send("HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
                  "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"));
  // Content-Length 2 on the HEAD answer, but its body bytes are not sent:
  // the next bytes are the GET's status line.
  auto first = client.ReadResponse();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->substr(first->size() - 2), "HT") << *first;
}

TEST_F(ServerTest, MultipartPostReachesHandler) {
  StartServer();
  const std::string body =
      "--XX\r\nContent-Disposition: form-data; name=\"bmRecipientId\"\r\n"
      "Content-Type: application/x-www-form-urlencoded; "
      "charset=ISO-8859-1\r\n\r\nb+c@example.com\r\n"
      "--XX\r\nContent-Disposition: form-data; name=\"bmFile\"; filename=\"a.pdf\"\r\n"
      "Content-Type: application/pdf\r\n\r\n%PDF\r\n--XX--\r\n";
  const std::string response = RoundTrip(
      "POST /http/form/C/uploadpersonalizedattachments?bmMailingId=5 HTTP/1.1\r\nHost: t\r\n"
      "Content-Type: multipart/form-data; boundary=XX\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_EQ(StatusOf(response), 200);
  auto calls = handler_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].params.Get("bmRecipientId"), "b+c@example.com");
  EXPECT_EQ(calls[0].params.Get("bmMailingId"), "5");
  ASSERT_EQ(calls[0].params.files().size(), 1u);
  EXPECT_EQ(calls[0].params.files()[0].data, "%PDF");
}

TEST_F(ServerTest, MalformedMultipartIsSyntaxErrorWithoutHandler) {
  StartServer();
  const std::string body = "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end";
  const std::string response = RoundTrip(
      "POST /http/form/C/nop HTTP/1.1\r\nHost: t\r\nContent-Type: multipart/form-data; "
      "boundary=XX\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_EQ(StatusOf(response), 200);
  EXPECT_EQ(BodyOf(response), "syntax_error");
  EXPECT_TRUE(handler_.calls().empty());
}

TEST_F(ServerTest, ExpectContinueGetsInterimResponse) {
  StartServer();
  TestClient client(port());
  ASSERT_TRUE(
      client.Send("POST /http/form/C/nop HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                  "Content-Type: application/x-www-form-urlencoded\r\n"
                  "Content-Length: 3\r\n\r\n"));
  std::this_thread::sleep_for(milliseconds(50));
  ASSERT_TRUE(client.Send("a=1"));
  const auto response = client.ReadResponse();  // skips the 100 Continue
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(BodyOf(*response), "ok");
  EXPECT_EQ(handler_.calls().at(0).params.Get("a"), "1");
}

TEST_F(ServerTest, RedirectAnswers302WithLocation) {
  StartServer();
  handler_.SetAnswer(ops::Answer{Reply::Success(Token::kEnqueued, "M1"), {"shop.example"}});
  const std::string response = RoundTrip(
      "GET /http/form/C/sendeventmail?bmSuccessUrl=https%3A%2F%2Fshop.example%2Fok%3Fa%3D1"
      "&bmUrl=https://other.example/ HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(StatusOf(response), 302);
  EXPECT_EQ(HeaderOf(response, "Location"),
            "https://shop.example/ok?a=1&bmResult=enqueued%3A%20M1");
  EXPECT_EQ(BodyOf(response), "");
}

TEST_F(ServerTest, UnavailableIs503WithRetryAfter) {
  StartServer();
  handler_.SetAnswer(ops::Answer{Status::Unavailable("store busy"), {}});
  const std::string response = RoundTrip("GET /http/form/C/nop HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(StatusOf(response), 503);
  EXPECT_EQ(HeaderOf(response, "Retry-After"), "5");
  EXPECT_EQ(BodyOf(response), "system_error");
}

TEST_F(ServerTest, ThrowingHandlerIsSystemError) {
  StartServer();
  handler_.SetThrow(true);
  const std::string response = RoundTrip("GET /http/form/C/nop HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(StatusOf(response), 200);
  EXPECT_EQ(BodyOf(response), "system_error");
}

TEST_F(ServerTest, InFlightLimitAnswers503) {
  ServerOptions options = LoopbackOptions();
  options.max_in_flight = 1;
  StartServer(options);
  handler_.Hold();
  TestClient busy(port());
  ASSERT_TRUE(busy.Send("GET /http/form/C/nop HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(handler_.WaitStarted(1));

  const std::string rejected = RoundTrip("GET /http/form/C/nop HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(StatusOf(rejected), 503);
  EXPECT_EQ(HeaderOf(rejected, "Retry-After"), "5");
  EXPECT_EQ(BodyOf(rejected), "system_error");
  // Health checks do not count against the limit.
  EXPECT_EQ(StatusOf(RoundTrip("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")), 200);

  handler_.Release();
  EXPECT_EQ(BodyOf(busy.ReadResponse().value_or("")), "ok");
  EXPECT_EQ(handler_.calls().size(), 1u);
  EXPECT_EQ(StatusOf(RoundTrip("GET /http/form/C/nop HTTP/1.1\r\nHost: t\r\n\r\n")), 200);
}

TEST_F(ServerTest, OtherMethodsReachTheHandler) {
  StartServer();
  handler_.SetAnswer(ops::Answer{Reply::WrongTag(503), {}});
  const std::string response = RoundTrip("PUT /http/form/C/nop HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(BodyOf(response), "wrong_tag: 503");
  EXPECT_EQ(handler_.calls().at(0).info.method, "PUT");
}

TEST_F(ServerTest, BindFailureIsAClearStatus) {
  StartServer();
  ServerOptions options = LoopbackOptions();
  options.listen = {"127.0.0.1:" + std::to_string(port())};
  Server second(options, [](const auth::RequestInfo&, const Params&) { return ops::Answer{}; });
  const Status status = second.Start();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("127.0.0.1:" + std::to_string(port())), std::string::npos)
      << status.ToString();

  options.listen = {"no-port-here"};
  Server bad(options, nullptr);
  EXPECT_FALSE(bad.Start().ok());
}

TEST_F(ServerTest, GracefulStopLetsInFlightRequestFinish) {
  StartServer();
  handler_.SetDelay(milliseconds(500));
  TestClient idle(port());  // an idle keep-alive connection
  ASSERT_TRUE(idle.Send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(idle.ReadResponse().has_value());

  TestClient busy(port());
  ASSERT_TRUE(busy.Send("GET /http/form/C/nop HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(handler_.WaitStarted(1));
  const uint16_t bound = port();
  const auto start = steady_clock::now();
  server_->Stop();
  const auto took = steady_clock::now() - start;

  auto response = busy.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(BodyOf(*response), "ok");
  EXPECT_EQ(HeaderOf(*response, "Connection"), "close");
  EXPECT_TRUE(busy.WaitForClose());
  EXPECT_TRUE(idle.WaitForClose());
  EXPECT_GE(took, milliseconds(300));
  EXPECT_LT(took, milliseconds(3000));
  EXPECT_THROW(TestClient late(bound), boost::system::system_error);  // not accepting
}

TEST_F(ServerTest, StopAfterGraceClosesStuckRequests) {
  ServerOptions options = LoopbackOptions();
  options.timeouts.shutdown_grace = milliseconds(200);
  StartServer(options);
  handler_.SetDelay(milliseconds(800));
  TestClient busy(port());
  ASSERT_TRUE(busy.Send("GET /http/form/C/nop HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(handler_.WaitStarted(1));
  const auto start = steady_clock::now();
  server_->Stop();
  EXPECT_LT(steady_clock::now() - start, milliseconds(3000));
  EXPECT_FALSE(busy.ReadResponse().has_value());  // closed after the grace period
}

// The tracking routes over a real socket: the handler is tried on the I/O
// thread, asked again on the pool when it says kBlocking; HEAD has no body;
// without a handler, or for another method, 404.
TEST(TrackingServerTest, RedirectPixelBlockingRetryAndHead) {
  std::mutex mu;
  std::vector<std::pair<TrackingRequest, bool>> calls;
  Server server(
      LoopbackOptions(), [](const auth::RequestInfo&, const Params&) { return ops::Answer{}; }, {},
      [&](const TrackingRequest& request, bool may_block) {
        std::lock_guard lock(mu);
        calls.emplace_back(request, may_block);
        if (request.token == "cold" && !may_block)
          return TrackingAnswer{TrackingAnswer::Kind::kBlocking, ""};
        if (request.token == "bad") return TrackingAnswer{};
        if (!request.click) return TrackingAnswer{TrackingAnswer::Kind::kPixel, ""};
        return TrackingAnswer{TrackingAnswer::Kind::kRedirect,
                              "https://a.example/" + request.token};
      });
  ASSERT_TRUE(server.Start().ok());
  auto round_trip = [&](const std::string& request) {
    TestClient client(server.BoundPort());
    EXPECT_TRUE(client.Send(request));
    return client.ReadResponse().value_or("");
  };
  std::string r = round_trip("GET /r/warm HTTP/1.1\r\nHost: t\r\nUser-Agent: UA/1\r\n\r\n");
  EXPECT_TRUE(r.starts_with("HTTP/1.1 302 Found\r\n")) << r;
  EXPECT_NE(r.find("Location: https://a.example/warm\r\n"), std::string::npos) << r;
  r = round_trip("GET /r/cold HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_NE(r.find("Location: https://a.example/cold\r\n"), std::string::npos) << r;
  r = round_trip("GET /o/px.gif HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_TRUE(r.starts_with("HTTP/1.1 200 OK\r\n")) << r;
  EXPECT_NE(r.find("Content-Type: image/gif\r\n"), std::string::npos) << r;
  EXPECT_NE(r.find("Cache-Control: no-store\r\n"), std::string::npos) << r;
  EXPECT_TRUE(r.ends_with(std::string(kTransparentGif))) << r;
  r = round_trip("GET /r/bad HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_TRUE(r.starts_with("HTTP/1.1 404 Not Found\r\n")) << r;
  r = round_trip("POST /r/warm HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(r.starts_with("HTTP/1.1 404 Not Found\r\n")) << r;
  server.Stop();
  std::lock_guard lock(mu);
  ASSERT_EQ(calls.size(), 5u);  // warm; cold twice; px; bad (POST never reaches it)
  EXPECT_EQ(calls[0].first.user_agent, "UA/1");
  EXPECT_EQ(calls[0].first.client_ip, "127.0.0.1");
  EXPECT_TRUE(calls[0].first.click);
  EXPECT_FALSE(calls[0].second);
  EXPECT_EQ(calls[1].first.token, "cold");
  EXPECT_FALSE(calls[1].second);
  EXPECT_TRUE(calls[2].second);  // the retry on the pool
  EXPECT_FALSE(calls[3].first.click);
  EXPECT_EQ(calls[3].first.token, "px");
}

TEST(TrackingServerTest, WithoutAHandlerTrackingPathsAre404) {
  Server server(LoopbackOptions(),
                [](const auth::RequestInfo&, const Params&) { return ops::Answer{}; });
  ASSERT_TRUE(server.Start().ok());
  TestClient client(server.BoundPort());
  EXPECT_TRUE(client.Send("GET /o/px.gif HTTP/1.1\r\nHost: t\r\n\r\n"));
  const std::string r = client.ReadResponse().value_or("");
  EXPECT_TRUE(r.starts_with("HTTP/1.1 404 Not Found\r\n")) << r;
  server.Stop();
}

}  // namespace
}  // namespace campaignd::http::testing
