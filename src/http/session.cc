#include "http/session.h"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <optional>

#include "http/client_origin.h"
#include "http/header_value.h"
#include "http/request.h"

namespace campaignd::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;
constexpr auto kAwaitTuple = asio::as_tuple(asio::use_awaitable);

// Slack for the method, blanks and version around the target when the
// parser's header limit is the URL limit plus the header-block limit.
constexpr std::size_t kRequestLineOverheadBytes = 64;
// "HTTP/1.1" + CRLF after the target, " " before it.
constexpr std::size_t kRequestLineFixedBytes = 11;
// Bytes asked for by one read while waiting for a request or lingering.
constexpr std::size_t kReadChunkBytes = 16 * 1024;
constexpr std::string_view kSyntaxError = "syntax_error";

enum class Next { kContinue, kClose, kCloseLingering };

// The connection's entry in the registry, for the coroutine's lifetime.
class Registration {
 public:
  Registration(ConnectionRegistry& registry, asio::any_io_executor strand, beast::tcp_stream* s)
      : registry_(registry), id_(registry.Add(std::move(strand), s)) {}
  ~Registration() { registry_.Remove(id_); }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;
  uint64_t id() const { return id_; }

 private:
  ConnectionRegistry& registry_;
  const uint64_t id_;
};

struct Connection {
  std::string peer_ip;
  bool tls = false;
  uint64_t id = 0;
};

// One request being served: what the access log will say about it.
struct Exchange {
  Clock::time_point start = Clock::now();
  AccessRecord record;
  ReplyContext ctx;
};

template <class Stream>
beast::tcp_stream& Lowest(Stream& stream) {
  return beast::get_lowest_layer(stream);
}

std::string PeerIp(const asio::ip::tcp::socket& socket) {
  boost::system::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  return ec ? std::string("-") : CanonicalIp(endpoint.address().to_string());
}

void LogExchange(Exchange& ex, unsigned status, std::size_t bytes_out) {
  ex.record.status = status;
  ex.record.bytes_out = bytes_out;
  ex.record.elapsed =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - ex.start);
  LogAccess(ex.record);
}

// Writes `res` (headers only for a HEAD request) within the write timeout
// and logs the exchange. False when the write failed.
template <class Stream>
asio::awaitable<bool> WriteResponse(Stream& stream, Response& res, bool head_request, Exchange& ex,
                                    const SessionDeps& deps) {
  const std::size_t body_bytes = res.body().size();
  if (head_request) res.body().clear();  // Content-Length still tells the size
  Lowest(stream).expires_after(deps.dispatch.options.timeouts.body_read);
  auto [ec, n] = co_await bhttp::async_write(stream, res, kAwaitTuple);
  LogExchange(ex, res.result_int(), body_bytes);
  co_return !ec;
}

// The status for a read error that is a limit breach, or nullopt.
std::optional<bhttp::status> LimitStatus(const boost::system::error_code& ec,
                                         const beast::flat_buffer& buffer,
                                         const RequestLimits& limits) {
  if (ec == bhttp::error::body_limit) return bhttp::status::payload_too_large;
  if (ec != bhttp::error::header_limit) return std::nullopt;
  const std::string_view raw(static_cast<const char*>(buffer.data().data()), buffer.size());
  return RequestLineTooLong(raw, limits.max_url_bytes)
             ? bhttp::status::uri_too_long
             : bhttp::status::request_header_fields_too_large;
}

// The limit a parsed header breaks (target or header block), or nullopt.
std::optional<bhttp::status> HeaderOverLimit(const Request& req, std::size_t header_bytes,
                                             const RequestLimits& limits) {
  if (req.target().size() > limits.max_url_bytes) return bhttp::status::uri_too_long;
  const std::size_t line_bytes =
      req.method_string().size() + 1 + req.target().size() + kRequestLineFixedBytes;
  if (header_bytes > line_bytes && header_bytes - line_bytes > limits.max_header_bytes) {
    return bhttp::status::request_header_fields_too_large;
  }
  return std::nullopt;
}

// A read error that deserves an answer before closing: limits (syntax_error)
// and malformed HTTP (400). Timeouts, resets and EOF are just closed.
std::optional<Response> ErrorResponse(const boost::system::error_code& ec,
                                      const beast::flat_buffer& buffer, Exchange& ex,
                                      const RequestLimits& limits) {
  ex.ctx.keep_alive = false;
  if (auto status = LimitStatus(ec, buffer, limits)) {
    ex.record.token = kSyntaxError;
    return MakeTextResponse(*status, std::string(kSyntaxError), ex.ctx);
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
      ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
    return MakeTextResponse(bhttp::status::bad_request, "", ex.ctx);
  }
  return std::nullopt;
}

// Answers a request that cannot be read to its end; the connection closes.
template <class Stream>
asio::awaitable<Next> Refuse(Stream& stream, Response& res, Exchange& ex, const SessionDeps& deps) {
  co_await WriteResponse(stream, res, false, ex, deps);
  co_return Next::kCloseLingering;
}

template <class Stream>
asio::awaitable<bool> SendContinueIfExpected(Stream& stream, const Request& req) {
  if (req.version() < 11 || !EqualsIgnoreCase(req[bhttp::field::expect], "100-continue")) {
    co_return true;
  }
  bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, req.version()};
  auto [ec, n] = co_await bhttp::async_write(stream, cont, kAwaitTuple);
  co_return !ec;
}

// Reads, answers and logs one request whose first bytes are in `buffer`.
template <class Stream>
asio::awaitable<Next> ServeOne(Stream& stream, beast::flat_buffer& buffer, const Connection& conn,
                               const SessionDeps& deps) {
  const ServerOptions& options = deps.dispatch.options;
  Exchange ex;
  ex.record.request_id = ++deps.next_request_id;
  ex.record.peer = conn.peer_ip;
  ex.ctx = ReplyContext{11, false, ex.record.request_id, options.retry_after};

  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(
      options.limits.max_url_bytes + options.limits.max_header_bytes + kRequestLineOverheadBytes));
  parser.body_limit(options.limits.max_body_bytes);
  Lowest(stream).expires_after(options.timeouts.header_read);
  auto [ec, header_bytes] = co_await bhttp::async_read_header(stream, buffer, parser, kAwaitTuple);
  if (ec) {
    std::optional<Response> res = ErrorResponse(ec, buffer, ex, options.limits);
    if (!res) co_return Next::kClose;
    co_return co_await Refuse(stream, *res, ex, deps);
  }
  const Request& req = parser.get();
  ex.record.method = std::string(req.method_string());
  ex.ctx.version = req.version();
  if (auto status = HeaderOverLimit(req, header_bytes, options.limits)) {
    ex.record.token = kSyntaxError;
    Response res = MakeTextResponse(*status, std::string(kSyntaxError), ex.ctx);
    co_return co_await Refuse(stream, res, ex, deps);
  }
  const bool continued = co_await SendContinueIfExpected(stream, req);
  if (!continued) co_return Next::kClose;
  if (!parser.is_done()) {
    Lowest(stream).expires_after(options.timeouts.body_read);
    auto [body_ec, body_bytes] = co_await bhttp::async_read(stream, buffer, parser, kAwaitTuple);
    if (body_ec) {
      std::optional<Response> res = ErrorResponse(body_ec, buffer, ex, options.limits);
      if (!res) co_return Next::kClose;
      co_return co_await Refuse(stream, *res, ex, deps);
    }
  }
  ex.record.bytes_in = req.body().size();
  ex.ctx.keep_alive = req.keep_alive() && !deps.registry.stopping();
  Dispatched answer =
      co_await Dispatch(req, conn.peer_ip, conn.tls, ex.ctx, deps.dispatch, ex.record);
  if (deps.registry.stopping()) answer.response.keep_alive(false);  // stop began meanwhile
  const bool keep_alive = answer.response.keep_alive() && !answer.close;
  const bool head = req.method() == bhttp::verb::head;
  const bool written = co_await WriteResponse(stream, answer.response, head, ex, deps);
  co_return written&& keep_alive ? Next::kContinue : Next::kClose;
}

// Waits (idle) for the first bytes of the next request, unless some are
// buffered. False when the connection should close (timeout, EOF, stop).
template <class Stream>
asio::awaitable<bool> AwaitRequest(Stream& stream, beast::flat_buffer& buffer,
                                   std::chrono::milliseconds timeout, const Connection& conn,
                                   const SessionDeps& deps) {
  if (buffer.size() > 0) co_return !deps.registry.stopping();
  if (!deps.registry.EnterIdle(conn.id)) co_return false;
  Lowest(stream).expires_after(timeout);
  auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kReadChunkBytes), kAwaitTuple);
  deps.registry.LeaveIdle(conn.id);
  if (ec) co_return false;
  buffer.commit(n);
  co_return true;
}

// Half-closes, then reads and drops what the client still sends (bounded in
// time and bytes), so it reads our answer instead of a reset.
asio::awaitable<void> CloseLingering(beast::tcp_stream& stream, std::chrono::milliseconds linger) {
  boost::system::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream.expires_after(linger);
  std::array<char, kReadChunkBytes> sink;
  for (std::size_t dropped = 0; dropped < limits::kMaxLingerBytes;) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kAwaitTuple);
    if (ec) break;
    dropped += n;
  }
  stream.close();
}

// The keep-alive loop; returns how the connection should end.
template <class Stream>
asio::awaitable<Next> ServeConnection(Stream& stream, const Connection& conn,
                                      const SessionDeps& deps) {
  const Timeouts& timeouts = deps.dispatch.options.timeouts;
  beast::flat_buffer buffer;
  for (bool first = true;; first = false) {
    const auto wait = first ? timeouts.header_read : timeouts.keep_alive_idle;
    const bool arrived = co_await AwaitRequest(stream, buffer, wait, conn, deps);
    if (!arrived) co_return Next::kClose;
    const Next next = co_await ServeOne(stream, buffer, conn, deps);
    if (next != Next::kContinue) co_return next;
  }
}

}  // namespace

asio::awaitable<void> RunPlainSession(asio::ip::tcp::socket socket, SessionDeps deps) {
  const std::string peer = PeerIp(socket);
  beast::tcp_stream stream(std::move(socket));
  const asio::any_io_executor strand = co_await asio::this_coro::executor;
  Registration registration(deps.registry, strand, &stream);
  const Connection conn{peer, false, registration.id()};
  const Next how = co_await ServeConnection(stream, conn, deps);
  if (how == Next::kCloseLingering) {
    co_await CloseLingering(stream, deps.dispatch.options.timeouts.linger);
    co_return;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream.close();
}

asio::awaitable<void> RunTlsSession(asio::ip::tcp::socket socket, asio::ssl::context& tls,
                                    SessionDeps deps) {
  const std::string peer = PeerIp(socket);
  beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), tls);
  const asio::any_io_executor strand = co_await asio::this_coro::executor;
  Registration registration(deps.registry, strand, &Lowest(stream));
  const Connection conn{peer, true, registration.id()};
  if (!deps.registry.EnterIdle(conn.id)) co_return;
  Lowest(stream).expires_after(deps.dispatch.options.timeouts.header_read);
  auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kAwaitTuple);
  deps.registry.LeaveIdle(conn.id);
  if (ec) co_return;
  const Next how = co_await ServeConnection(stream, conn, deps);
  if (how == Next::kCloseLingering) {
    co_await CloseLingering(Lowest(stream), deps.dispatch.options.timeouts.linger);
    co_return;
  }
  Lowest(stream).expires_after(deps.dispatch.options.timeouts.linger);
  co_await stream.async_shutdown(kAwaitTuple);  // a missing close_notify is fine
  Lowest(stream).close();
}

}  // namespace campaignd::http
