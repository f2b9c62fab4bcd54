#include "admin/api/listener.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <spdlog/spdlog.h>

#include "admin/api/answer.h"

namespace campaignd::admin::api {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using boost::asio::ip::tcp;

struct AdminListener::Connection {
  explicit Connection(tcp::socket s) : socket(std::move(s)) {}
  tcp::socket socket;
  std::thread thread;
  std::atomic<bool> done{false};
};

namespace {

constexpr std::size_t kReadChunkBytes = 64 * 1024;

void SetTimeouts(tcp::socket& socket, std::chrono::seconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count());
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

Result<tcp::endpoint> ParseEndpoint(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("admin_listen: expected HOST:PORT");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  const std::optional<int64_t> port = ParseInt64(text.substr(colon + 1));
  if (ec || !port || *port < 0 || *port > 65535) {
    return Status::InvalidArgument("admin_listen: '" + text + "' is not an IP address and port");
  }
  return tcp::endpoint(address, static_cast<uint16_t>(*port));
}

// Pulls the body of the request being parsed, chunk by chunk.
class BodyPuller {
 public:
  BodyPuller(tcp::socket& socket, beast::flat_buffer& buffer,
             http::request_parser<http::buffer_body>& parser)
      : socket_(socket), buffer_(buffer), parser_(parser) {}

  Result<std::string> Next() {
    char chunk[kReadChunkBytes];
    while (!parser_.is_done()) {
      parser_.get().body().data = chunk;
      parser_.get().body().size = sizeof chunk;
      beast::error_code ec;
      http::read(socket_, buffer_, parser_, ec);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) return Status::IOError("reading the request body: " + ec.message());
      const std::size_t got = sizeof chunk - parser_.get().body().size;
      if (got > 0) return std::string(chunk, got);
    }
    return std::string();
  }

 private:
  tcp::socket& socket_;
  beast::flat_buffer& buffer_;
  http::request_parser<http::buffer_body>& parser_;
};

// Writes `response` (plain or streamed as chunks); false when the
// connection must close.
bool WriteResponse(tcp::socket& socket, AdminResponse& response, bool keep_alive) {
  beast::error_code ec;
  if (!response.stream) {
    http::response<http::string_body> res{static_cast<http::status>(response.status), 11};
    if (!response.content_type.empty()) res.set(http::field::content_type, response.content_type);
    res.keep_alive(keep_alive);
    res.body() = std::move(response.body);
    res.prepare_payload();
    http::write(socket, res, ec);
    return !ec && keep_alive;
  }
  http::response<http::empty_body> res{static_cast<http::status>(response.status), 11};
  res.set(http::field::content_type, response.content_type);
  res.keep_alive(keep_alive);
  res.chunked(true);
  http::response_serializer<http::empty_body> serializer{res};
  http::write_header(socket, serializer, ec);
  if (ec) return false;
  Status streamed = response.stream([&](std::string_view chunk) -> Status {
    boost::asio::write(socket, http::make_chunk(boost::asio::buffer(chunk)), ec);
    return ec ? Status::IOError(ec.message()) : Status::Ok();
  });
  if (!streamed.ok()) {
    spdlog::warn("admin API: streamed answer broken off: {}", streamed.message());
    return false;  // no last chunk: the client sees a truncated body
  }
  boost::asio::write(socket, http::make_chunk_last(), ec);
  return !ec && keep_alive;
}

}  // namespace

AdminListener::AdminListener(AdminListenerOptions options, AdminHandler handler)
    : options_(std::move(options)), handler_(std::move(handler)) {}

AdminListener::~AdminListener() { Stop(); }

Status AdminListener::Start() {
  Result<tcp::endpoint> endpoint = ParseEndpoint(options_.listen);
  if (!endpoint.ok()) return endpoint.status();
  boost::system::error_code ec;
  acceptor_.open(endpoint->protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(*endpoint, ec);
  if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::IOError("admin API: cannot listen on " + options_.listen + ": " + ec.message());
  port_ = acceptor_.local_endpoint().port();
  accept_thread_ = std::thread([this] { AcceptLoop(); });
  return Status::Ok();
}

void AdminListener::AcceptLoop() {
  while (!stopping_) {
    {
      std::unique_lock lock(mu_);
      for (auto it = connections_.begin(); it != connections_.end();) {
        if ((*it)->done) {
          (*it)->thread.join();
          it = connections_.erase(it);
        } else {
          ++it;
        }
      }
      cv_.wait(lock, [&] {
        std::size_t live = 0;
        for (const auto& c : connections_) live += c->done ? 0 : 1;
        return stopping_ || live < options_.max_connections;
      });
    }
    boost::system::error_code ec;
    tcp::socket socket(io_);
    acceptor_.accept(socket, ec);
    if (stopping_) return;
    if (ec) continue;
    SetTimeouts(socket, options_.io_timeout);
    auto connection = std::make_shared<Connection>(std::move(socket));
    std::lock_guard lock(mu_);
    connections_.push_back(connection);
    connection->thread = std::thread([this, connection] { Serve(connection); });
  }
}

void AdminListener::Serve(std::shared_ptr<Connection> connection) {
  tcp::socket& socket = connection->socket;
  beast::flat_buffer buffer;
  bool open = true;
  while (open && !stopping_) {
    http::request_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    beast::error_code ec;
    http::read_header(socket, buffer, parser, ec);
    if (ec) break;
    const auto& header = parser.get();
    AdminRequest request;
    request.method = std::string(header.method_string());
    request.target = std::string(header.target());
    request.authorization = std::string(header[http::field::authorization]);
    request.content_type = std::string(header[http::field::content_type]);
    const bool keep_alive = header.keep_alive();
    if (beast::iequals(header[http::field::expect], "100-continue")) {
      http::response<http::empty_body> go{http::status::continue_, 11};
      http::write(socket, go, ec);
      if (ec) break;
    }
    BodyPuller puller(socket, buffer, parser);
    AdminResponse response;
    if (request.content_type.starts_with("text/csv")) {
      request.body_reader = [&puller] { return puller.Next(); };
    } else {
      while (true) {
        Result<std::string> chunk = puller.Next();
        if (!chunk.ok() || chunk->empty()) break;
        request.body += *chunk;
        if (request.body.size() > options_.max_json_body_bytes) break;
      }
    }
    if (request.body.size() > options_.max_json_body_bytes) {
      response = ErrorAnswer(413, "payload_too_large", "the body is too large");
    } else {
      response = handler_(request);
    }
    // A body the handler did not read (an early error) ends the connection.
    open = WriteResponse(socket, response, keep_alive && parser.is_done());
  }
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
  connection->done = true;
  cv_.notify_all();
}

void AdminListener::Stop() {
  if (stopping_.exchange(true)) return;
  boost::system::error_code ignored;
  if (acceptor_.is_open()) {
    // Wakes the blocking accept().
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    acceptor_.close(ignored);
  }
  cv_.notify_all();
  if (accept_thread_.joinable()) accept_thread_.join();
  std::lock_guard lock(mu_);
  for (auto& connection : connections_) {
    ::shutdown(connection->socket.native_handle(), SHUT_RDWR);
  }
  for (auto& connection : connections_) {
    if (connection->thread.joinable()) connection->thread.join();
  }
  connections_.clear();
}

}  // namespace campaignd::admin::api
