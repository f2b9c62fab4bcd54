#include "testing/http_client.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <stdexcept>

namespace campaignd::http::testing {

namespace asio = boost::asio;

TestClient::TestClient(uint16_t port, bool tls, std::chrono::milliseconds read_timeout) {
  socket_.connect({asio::ip::make_address("127.0.0.1"), port});
  timeval tv{};
  tv.tv_sec = read_timeout.count() / 1000;
  tv.tv_usec = (read_timeout.count() % 1000) * 1000;
  setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (tls) {
    tls_context_.set_verify_mode(asio::ssl::verify_none);
    tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket&>>(socket_, tls_context_);
    tls_->handshake(asio::ssl::stream_base::client);
  }
}

TestClient::~TestClient() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

bool TestClient::Send(const std::string& bytes) {
  boost::system::error_code ec;
  if (tls_) {
    asio::write(*tls_, asio::buffer(bytes), ec);
  } else {
    asio::write(socket_, asio::buffer(bytes), ec);
  }
  return !ec;
}

std::size_t TestClient::ReadSome(char* data, std::size_t size, boost::system::error_code& ec) {
  if (tls_) return tls_->read_some(asio::buffer(data, size), ec);
  return socket_.read_some(asio::buffer(data, size), ec);
}

std::optional<std::string> TestClient::ReadResponse() {
  char chunk[16384];
  for (;;) {
    const std::size_t header_end = pending_.find("\r\n\r\n");
    if (header_end != std::string::npos) {
      const std::string head = pending_.substr(0, header_end + 4);
      const std::string length = HeaderOf(head, "Content-Length");
      const std::size_t total = header_end + 4 + (length.empty() ? 0 : std::stoul(length));
      if (StatusOf(head) == 100) {  // interim response: skip it
        pending_.erase(0, header_end + 4);
        continue;
      }
      if (pending_.size() >= total) {
        std::string response = pending_.substr(0, total);
        pending_.erase(0, total);
        return response;
      }
    }
    boost::system::error_code ec;
    const std::size_t n = ReadSome(chunk, sizeof chunk, ec);
    if (ec) return std::nullopt;
    pending_.append(chunk, n);
  }
}

bool TestClient::WaitForClose() {
  char chunk[16384];
  for (;;) {
    boost::system::error_code ec;
    ReadSome(chunk, sizeof chunk, ec);
    if (ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::ssl::error::stream_truncated) {
      return true;
    }
    if (ec) return false;  // timeout (EAGAIN) or another error
  }
}

std::string BodyOf(const std::string& response) {
  const std::size_t end = response.find("\r\n\r\n");
  return end == std::string::npos ? "" : response.substr(end + 4);
}

std::string HeaderOf(const std::string& response, const std::string& name) {
  const std::string key = "\r\n" + name + ": ";
  const std::size_t at = response.find(key);
  if (at == std::string::npos || at > response.find("\r\n\r\n")) return "";
  const std::size_t start = at + key.size();
  return response.substr(start, response.find("\r\n", start) - start);
}

int StatusOf(const std::string& response) {
  if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) return 0;
  return std::stoi(response.substr(9, 3));
}

}  // namespace campaignd::http::testing
