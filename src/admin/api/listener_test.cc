// AdminListener over a real socket: JSON routes, a streamed CSV upload
// (chunked, with Expect: 100-continue), a chunked export, keep-alive.
#include "admin/api/listener.h"

#include <boost/asio/connect.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "admin/api/api_test_env.h"

namespace campaignd::admin::api {
namespace {

namespace http = boost::beast::http;
using boost::asio::ip::tcp;

class ListenerTest : public AdminApiTest {
 protected:
  void SetUp() override {
    AdminApiTest::SetUp();
    listener_ = std::make_unique<AdminListener>(
        AdminListenerOptions{.listen = "127.0.0.1:0"},
        [this](const AdminRequest& request) { return HandleAdmin(request, *context_); });
    Status started = listener_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    socket_.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), listener_->BoundPort()));
  }
  void TearDown() override {
    boost::system::error_code ignored;
    socket_.close(ignored);
    listener_->Stop();
    AdminApiTest::TearDown();
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
  AdminListener bad(AdminListenerOptions{.listen = "not-an-ip:80"},
                    [](const AdminRequest&) { return AdminResponse{}; });
  EXPECT_FALSE(bad.Start().ok());
  AdminListener taken(AdminListenerOptions{.listen = "127.0.0.1:" + std::to_string(listener_->BoundPort())},
                      [](const AdminRequest&) { return AdminResponse{}; });
  EXPECT_FALSE(taken.Start().ok());
}

}  // namespace
}  // namespace campaignd::admin::api
