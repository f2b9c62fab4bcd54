// Test-only: a blocking HTTP/1.x client over a real loopback socket (plain
// or TLS) that sends raw bytes and reads raw responses, so server tests can
// assert exact bytes. Every read gives up after a timeout; nothing hangs.
// Callers: http/*_test.cc and admin/api/listener_test.cc (both listeners are
// http::Servers); compiled into those test binaries (http_client.cc). Its
// namespace is still campaignd::http::testing, the one its callers use.
// Threads: one client per thread.
#ifndef CAMPAIGND_TESTING_HTTP_CLIENT_H_
#define CAMPAIGND_TESTING_HTTP_CLIENT_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace campaignd::http::testing {

class TestClient {
 public:
  // Connects to 127.0.0.1:port; with `tls` it also does a TLS handshake
  // (no certificate verification). REQUIRES: the server listens there.
  explicit TestClient(uint16_t port, bool tls = false,
                      std::chrono::milliseconds read_timeout = std::chrono::seconds(5));
  ~TestClient();

  // Writes all of `bytes`; false when the peer closed or reset.
  bool Send(const std::string& bytes);

  // Reads one response (header block plus Content-Length bytes of body)
  // and returns its raw bytes; nullopt on EOF, error or timeout.
  std::optional<std::string> ReadResponse();

  // True when the server closes the connection (EOF or reset) within the
  // read timeout, discarding any bytes that arrive first.
  bool WaitForClose();

 private:
  std::size_t ReadSome(char* data, std::size_t size, boost::system::error_code& ec);

  boost::asio::io_context io_;
  boost::asio::ssl::context tls_context_{boost::asio::ssl::context::tls_client};
  boost::asio::ip::tcp::socket socket_{io_};
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_;
  std::string pending_;  // bytes read past the last response
};

// The body of a raw response (after the blank line).
std::string BodyOf(const std::string& response);
// The value of header `name` (exact case as the server writes it), or "".
std::string HeaderOf(const std::string& response, const std::string& name);
// The status line's code, e.g. 200; 0 when there is none.
int StatusOf(const std::string& response);

}  // namespace campaignd::http::testing

#endif  // CAMPAIGND_TESTING_HTTP_CLIENT_H_
