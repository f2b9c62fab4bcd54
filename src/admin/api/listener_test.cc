// AdminListener over a real socket: JSON routes, a streamed CSV upload
// (chunked, with Expect: 100-continue), a chunked export, keep-alive; and
// the connection rules it shares with the public API (issue 15): idle
// connections neither lock it out nor outlive the header timeout, a bad
// Transfer-Encoding is 400 with nothing smuggled, bodies are bounded per
// route before they are read.
#include "admin/api/listener.h"

#include <boost/asio/connect.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "admin/api/api_testutil.h"
#include "core/limits.h"
#include "testing/http_client.h"

namespace campaignd::admin::api {
namespace {

namespace http = boost::beast::http;
using boost::asio::ip::tcp;
using campaignd::http::testing::BodyOf;
using campaignd::http::testing::HeaderOf;
using campaignd::http::testing::StatusOf;
using campaignd::http::testing::TestClient;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

class ListenerTest : public AdminApiTest {
 protected:
  void SetUp() override {
    AdminApiTest::SetUp();
    StartListener(AdminListenerOptions{.listen = "127.0.0.1:0", .timeouts = {}});
    socket_.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), listener_->BoundPort()));
  }
  void TearDown() override {
    boost::system::error_code ignored;
    socket_.close(ignored);
    listener_->Stop();
    AdminApiTest::TearDown();
  }

  // (Re)starts the listener with `options`; the handler records targets.
  void StartListener(AdminListenerOptions options) {
    if (listener_) listener_->Stop();
    listener_ = std::make_unique<AdminListener>(std::move(options), [this](const AdminRequest& r) {
      {
        std::lock_guard lock(mu_);
        targets_.push_back(r.method + " " + r.target);
      }
      return HandleAdmin(r, *context_);
    });
    Status started = listener_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
  uint16_t port() const { return listener_->BoundPort(); }
  std::vector<std::string> targets() {
    std::lock_guard lock(mu_);
    return targets_;
  }
  std::string Bearer(std::string_view key) {
    return "Authorization: Bearer " + std::string(key) + "\r\n";
  }
  // One request on a fresh connection; the raw response or "".
  std::string RoundTrip(const std::string& request) {
    TestClient client(port());
    EXPECT_TRUE(client.Send(request));
    return client.ReadResponse().value_or("");
  }

  http::response<http::string_body> Send(http::request<http::string_body> request) {
    request.version(11);
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::authorization, "Bearer " + key1_);
    request.prepare_payload();
    http::write(socket_, request);
    http::response<http::string_body> response;
    http::read(socket_, buffer_, response);
    return response;
  }

  boost::asio::io_context io_;
  tcp::socket socket_{io_};
  boost::beast::flat_buffer buffer_;
  std::unique_ptr<AdminListener> listener_;
  std::mutex mu_;
  std::vector<std::string> targets_;  // guarded by mu_
};

TEST_F(ListenerTest, AnswersJsonAndKeepsTheConnection) {
  auto first = Send({http::verb::get, "/admin/v1/clients/1", 11});
  EXPECT_EQ(first.result_int(), 200);
  EXPECT_EQ(first[http::field::content_type], "application/json");
  EXPECT_NE(first.body().find("\"id\":1"), std::string::npos);
  http::request<http::string_body> post{http::verb::post, "/admin/v1/clients/1/lists", 11};
  post.set(http::field::content_type, "application/json");
  post.body() = R"({"name":"over the wire"})";
  auto second = Send(post);
  EXPECT_EQ(second.result_int(), 201) << second.body();
  auto foreign = Send({http::verb::get, "/admin/v1/clients/2", 11});
  EXPECT_EQ(foreign.result_int(), 403);
}

TEST_F(ListenerTest, StreamsACsvUploadAndAnExport) {
  std::string csv = "email,orders\n";
  for (int i = 0; i < 30000; ++i) csv += "wire" + std::to_string(i) + "@example.com," + std::to_string(i) + "\n";
  // Chunked upload, as curl -T sends it.
  std::string head = "POST /admin/v1/clients/1/lists/10/recipients/import HTTP/1.1\r\n"
                     "Host: x\r\nAuthorization: Bearer " + key1_ +
                     "\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n"
                     "Expect: 100-continue\r\n\r\n";
  boost::asio::write(socket_, boost::asio::buffer(head));
  http::response<http::empty_body> go;
  http::response_parser<http::empty_body> continue_parser;
  http::read_header(socket_, buffer_, continue_parser);
  EXPECT_EQ(continue_parser.get().result(), http::status::continue_);
  for (std::size_t at = 0; at < csv.size(); at += 50000) {
    const std::string part = csv.substr(at, 50000);
    std::ostringstream chunk;
    chunk << std::hex << part.size() << "\r\n" << part << "\r\n";
    boost::asio::write(socket_, boost::asio::buffer(chunk.str()));
  }
  boost::asio::write(socket_, boost::asio::buffer(std::string("0\r\n\r\n")));
  http::response<http::string_body> imported;
  http::read(socket_, buffer_, imported);
  ASSERT_EQ(imported.result_int(), 200) << imported.body();
  EXPECT_NE(imported.body().find("\"stored\":30000"), std::string::npos) << imported.body();

  auto exported = Send({http::verb::get, "/admin/v1/clients/1/lists/10/recipients/export", 11});
  EXPECT_EQ(exported.result_int(), 200);
  EXPECT_TRUE(exported.chunked());
  EXPECT_EQ(std::count(exported.body().begin(), exported.body().end(), '\n'), 30002);
}

TEST_F(ListenerTest, RefusesToListenOnABadAddress) {
  AdminListener bad(AdminListenerOptions{.listen = "not-an-ip:80", .timeouts = {}},
                    [](const AdminRequest&) { return AdminResponse{}; });
  EXPECT_FALSE(bad.Start().ok());
  AdminListener taken(
      AdminListenerOptions{.listen = "127.0.0.1:" + std::to_string(listener_->BoundPort()),
                           .timeouts = {}},
      [](const AdminRequest&) { return AdminResponse{}; });
  EXPECT_FALSE(taken.Start().ok());
}

// The old listener served 16 connections at once, one thread each: 16
// connections that sent nothing locked every other client out.
TEST_F(ListenerTest, ManyIdleConnectionsDoNotLockOutARequest) {
  std::vector<std::unique_ptr<TestClient>> idle;
  for (int i = 0; i < 64; ++i) idle.push_back(std::make_unique<TestClient>(port()));
  const auto start = steady_clock::now();
  const std::string response =
      RoundTrip("GET /admin/v1/clients/1 HTTP/1.1\r\nHost: t\r\n" + Bearer(key1_) + "\r\n");
  EXPECT_EQ(StatusOf(response), 200) << response;
  EXPECT_LT(steady_clock::now() - start, milliseconds(1000));
}

TEST_F(ListenerTest, IdleAndSlowConnectionsAreClosedByTheHeaderTimeout) {
  AdminListenerOptions options{.listen = "127.0.0.1:0", .timeouts = {}};
  options.timeouts.header_read = milliseconds(400);
  StartListener(options);
  TestClient idle(port());
  TestClient slow(port());
  const auto start = steady_clock::now();
  // A slowloris: the header block trickles in, one byte at a time.
  const std::string head = "GET /admin/v1/clients/1 HTTP/1.1\r\nHost: t\r\nX-Slow: ";
  bool slow_open = true;
  for (std::size_t i = 0; slow_open && steady_clock::now() - start < milliseconds(1500); ++i) {
    slow_open = slow.Send(std::string(1, head[i % head.size()]));
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_TRUE(slow.WaitForClose());
  EXPECT_TRUE(idle.WaitForClose());
  EXPECT_LT(steady_clock::now() - start, milliseconds(2000));
  EXPECT_TRUE(targets().empty());
}

TEST_F(ListenerTest, BadTransferEncodingIs400AndNothingIsSmuggled) {
  const std::string smuggled = "POST /admin/v1/clients/1/lists HTTP/1.1\r\nHost: t\r\n" +
                               Bearer(key1_) +
                               "Content-Type: application/json\r\nContent-Length: 20\r\n\r\n"
                               "{\"name\":\"smuggled\"}";
  for (const std::string framing :
       {"Transfer-Encoding: gzip, chunked\r\n", "Transfer-Encoding: chunked, gzip\r\n",
        "Transfer-Encoding: identity\r\n",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
        "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"}) {
    TestClient client(port());
    client.Send("POST /admin/v1/clients/1/lists HTTP/1.1\r\nHost: t\r\n" + Bearer(key1_) +
                "Content-Type: application/json\r\n" + framing + "\r\n" + smuggled);
    const auto response = client.ReadResponse();
    ASSERT_TRUE(response.has_value()) << framing;
    EXPECT_EQ(StatusOf(*response), 400) << framing;
    EXPECT_EQ(HeaderOf(*response, "Content-Type"), "application/json");
    // Ours, or the parser's own ("bad Transfer-Encoding", "bad Content-Length").
    const std::string body = BodyOf(*response);
    EXPECT_TRUE(body.find("Transfer-Encoding") != std::string::npos ||
                body.find("Content-Length") != std::string::npos)
        << body;
    EXPECT_TRUE(client.WaitForClose()) << framing;
  }
  EXPECT_TRUE(targets().empty());
  EXPECT_EQ(Admin("GET", "/admin/v1/clients/1/lists").body.find("smuggled"), std::string::npos);
}

TEST_F(ListenerTest, AJsonBodyOverTheRouteLimitIs413BeforeItIsRead) {
  const std::string head = "POST /admin/v1/clients/1/lists HTTP/1.1\r\nHost: t\r\n" +
                           Bearer(key1_) + "Content-Type: application/json\r\n";
  TestClient declared(port());
  declared.Send(head + "Content-Length: " + std::to_string(limits::kMaxAdminBodyBytes + 1) +
                "\r\n\r\n{");
  auto response = declared.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(StatusOf(*response), 413);
  EXPECT_NE(BodyOf(*response).find("payload_too_large"), std::string::npos);
  EXPECT_NE(BodyOf(*response).find(std::to_string(limits::kMaxAdminBodyBytes)), std::string::npos);
  EXPECT_TRUE(declared.WaitForClose());

  TestClient chunked(port());
  std::string chunks;
  for (std::size_t sent = 0; sent <= limits::kMaxAdminBodyBytes; sent += 0x8000) {
    chunks += "8000\r\n" + std::string(0x8000, ' ') + "\r\n";
  }
  chunked.Send(head + "Transfer-Encoding: chunked\r\n\r\n" + chunks);
  response = chunked.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(StatusOf(*response), 413);
  EXPECT_TRUE(chunked.WaitForClose());
  EXPECT_TRUE(targets().empty());
}

TEST_F(ListenerTest, TheBulkBodyIsReadOnlyAfterTheKeyAndWithinItsLimit) {
  const std::string target = "/admin/v1/clients/1/lists/10/recipients/bulk";
  // No key: 401 at once, the 2 MB body is not waited for.
  TestClient nobody(port());
  nobody.Send("POST " + target +
              " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
              "Content-Length: 2000000\r\n\r\n{\"items\":[");
  auto response = nobody.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(StatusOf(*response), 401);
  EXPECT_TRUE(nobody.WaitForClose());
  // Over 16 MiB with the key: 413.
  TestClient big(port());
  big.Send("POST " + target + " HTTP/1.1\r\nHost: t\r\n" + Bearer(key1_) +
           "Content-Type: application/json\r\nContent-Length: " +
           std::to_string(limits::kMaxAdminBulkBodyBytes + 1) + "\r\n\r\n" +
           std::string(limits::kMaxAdminBulkBodyBytes + 1, ' '));
  response = big.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(StatusOf(*response), 413) << *response;
  // Within it: stored, on a connection that stays open.
  TestClient fine(port());
  const std::string body = R"({"items":[{"recipient_id":"bulk@example.com"}]})";
  fine.Send("POST " + target + " HTTP/1.1\r\nHost: t\r\n" + Bearer(key1_) +
            "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n\r\n" + body);
  response = fine.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(StatusOf(*response), 200) << *response;
  fine.Send(
      "GET /admin/v1/clients/1/lists/10/recipients/bulk@example.com HTTP/1.1\r\n"
      "Host: t\r\n" +
      Bearer(key1_) + "\r\n");
  response = fine.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(StatusOf(*response), 200) << *response;
}

TEST_F(ListenerTest, DeeplyNestedJsonIs400WithoutParsing) {
  const std::string body(limits::kMaxAdminBodyBytes, '[');
  const std::string response =
      RoundTrip("POST /admin/v1/clients/1/lists HTTP/1.1\r\nHost: t\r\n" + Bearer(key1_) +
                "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                "\r\n\r\n" + body);
  EXPECT_EQ(StatusOf(response), 400);
  EXPECT_NE(BodyOf(response).find("deeper than 16 levels"), std::string::npos) << response;
}

}  // namespace
}  // namespace campaignd::admin::api
