// A Server carrying a RawHandler: the plan's whole-body limit (413 from the
// Content-Length before reading, and for a chunked body), a streamed body
// pulled by the handler, a streamed (chunked) answer, the per-chunk body
// timeout, refuse() for a throwing handler, and the connection rules shared
// with the public API (bad Transfer-Encoding).
#include "http/raw_handler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "http/server.h"
#include "testing/http_client.h"

namespace campaignd::http::testing {
namespace {

namespace bhttp = boost::beast::http;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr std::size_t kWholeLimit = 100;

// /whole: read whole up to kWholeLimit; /stream: pulled by the handler, which
// answers the byte count; /export: a chunked answer; /throw: throws.
RawHandler TestHandler(std::atomic<int>* calls) {
  RawHandler raw;
  raw.plan = [](std::string_view, std::string_view target, std::string_view) {
    const bool stream = target == "/stream";
    return RequestPlan{stream, stream ? std::size_t{1} << 30 : kWholeLimit, "/pattern"};
  };
  raw.handle = [calls](const RawRequest& request) {
    ++*calls;
    if (request.target == "/throw") throw std::runtime_error("boom");
    if (request.target == "/export") {
      RawResponse response{200, "text/csv", "", {}};
      response.stream = [](const ChunkWriter& write) -> Status {
        for (int i = 0; i < 3; ++i)
          CAMPAIGND_RETURN_IF_ERROR(write("row" + std::to_string(i) + "\n"));
        return Status::Ok();
      };
      return response;
    }
    std::size_t bytes = request.body.size();
    if (request.read_body) {
      while (true) {
        Result<std::string> chunk = request.read_body();
        if (!chunk.ok()) return RawResponse{400, "text/plain", chunk.status().message(), {}};
        if (chunk->empty()) break;
        bytes += chunk->size();
      }
    }
    return RawResponse{200, "text/plain", std::to_string(bytes), {}};
  };
  raw.refuse = [](int status, std::string_view problem) {
    return RawResponse{status, "text/plain", "refused: " + std::string(problem), {}};
  };
  return raw;
}

class RawHandlerTest : public ::testing::Test {
 protected:
  void Start(milliseconds body_read = milliseconds(5000)) {
    ServerOptions options;
    options.listen = {"127.0.0.1:0"};
    options.blocking_threads = 2;
    options.timeouts.body_read = body_read;
    server_ = std::make_unique<Server>(options, TestHandler(&calls_));
    const Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }
  std::string Post(const std::string& target, const std::string& headers, const std::string& body) {
    TestClient client(server_->BoundPort());
    client.Send("POST " + target + " HTTP/1.1\r\nHost: t\r\n" + headers + "\r\n" + body);
    return client.ReadResponse().value_or("");
  }

  std::atomic<int> calls_{0};
  std::unique_ptr<Server> server_;
};

TEST_F(RawHandlerTest, AWholeBodyIsReadWithinThePlansLimit) {
  Start();
  std::string response = Post("/whole", "Content-Length: 5\r\n", "abcde");
  EXPECT_EQ(StatusOf(response), 200);
  EXPECT_EQ(BodyOf(response), "5");
  response = Post("/whole", "Content-Length: 101\r\n", "");
  EXPECT_EQ(StatusOf(response), 413);
  EXPECT_EQ(BodyOf(response), "refused: the body is larger than the 100 bytes this route accepts");
  EXPECT_EQ(HeaderOf(response, "Connection"), "close");
  response = Post("/whole", "Transfer-Encoding: chunked\r\n",
                  "40\r\n" + std::string(64, 'a') + "\r\n40\r\n" + std::string(64, 'a') + "\r\n");
  EXPECT_EQ(StatusOf(response), 413);
  response = Post("/whole", "Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n");
  EXPECT_EQ(StatusOf(response), 400);
  EXPECT_EQ(BodyOf(response), "refused: Transfer-Encoding must be exactly 'chunked'");
  EXPECT_EQ(calls_, 1);
}

TEST_F(RawHandlerTest, AStreamedBodyIsPulledChunkByChunk) {
  Start();
  std::string chunks;
  for (int i = 0; i < 50; ++i) chunks += "1000\r\n" + std::string(0x1000, 'c') + "\r\n";
  TestClient client(server_->BoundPort());
  client.Send(
      "POST /stream HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
      "Expect: 100-continue\r\n\r\n" +
      chunks + "0\r\n\r\n");
  const auto counted = client.ReadResponse();  // after a 100 Continue, which it skips
  ASSERT_TRUE(counted.has_value());
  EXPECT_EQ(BodyOf(*counted), std::to_string(50 * 0x1000));
  client.Send("POST /stream HTTP/1.1\r\nHost: t\r\nContent-Length: 300000\r\n\r\n" +
              std::string(300000, 'x'));
  const auto answer = client.ReadResponse();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(BodyOf(*answer), "300000");
  EXPECT_EQ(HeaderOf(*answer, "Connection"), "");  // kept alive: the body was read
}

TEST_F(RawHandlerTest, AStalledStreamedBodyIsCutOffAtTheBodyTimeout) {
  Start(milliseconds(300));
  TestClient client(server_->BoundPort());
  const auto start = steady_clock::now();
  client.Send("POST /stream HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\nsome");
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_LT(steady_clock::now() - start, milliseconds(2000));
}

TEST_F(RawHandlerTest, AStreamedAnswerIsChunkedAndAThrowIsRefused500) {
  Start();
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), server_->BoundPort()});
  bhttp::request<bhttp::empty_body> get{bhttp::verb::get, "/export", 11};
  get.set(bhttp::field::host, "t");
  bhttp::write(socket, get);
  boost::beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> exported;
  bhttp::read(socket, buffer, exported);
  EXPECT_EQ(exported.result_int(), 200);
  EXPECT_TRUE(exported.chunked());
  EXPECT_EQ(exported[bhttp::field::content_type], "text/csv");
  EXPECT_EQ(exported.body(), "row0\nrow1\nrow2\n");
  bhttp::request<bhttp::empty_body> boom{bhttp::verb::get, "/throw", 11};
  boom.set(bhttp::field::host, "t");
  bhttp::write(socket, boom);  // on the same, kept-alive connection
  bhttp::response<bhttp::string_body> refused;
  bhttp::read(socket, buffer, refused);
  EXPECT_EQ(refused.result_int(), 500);
  EXPECT_EQ(refused.body(), "refused: the handler threw: boom");
}

}  // namespace
}  // namespace campaignd::http::testing
