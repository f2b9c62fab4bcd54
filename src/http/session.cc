#include "http/session.h"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "http/blocking_call.h"
#include "http/client_origin.h"
#include "http/header_value.h"
#include "http/reply.h"
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
std::optional<bhttp::status> HeaderOverLimit(const bhttp::request_header<>& req,
                                             std::size_t header_bytes,
                                             const RequestLimits& limits) {
  if (req.target().size() > limits.max_url_bytes) return bhttp::status::uri_too_long;
  const std::size_t line_bytes =
      req.method_string().size() + 1 + req.target().size() + kRequestLineFixedBytes;
  if (header_bytes > line_bytes && header_bytes - line_bytes > limits.max_header_bytes) {
    return bhttp::status::request_header_fields_too_large;
  }
  return std::nullopt;
}

// What a refusal with `status` says to a RawHandler's client.
std::string RefusalProblem(bhttp::status status, const RequestLimits& limits,
                           std::size_t body_limit) {
  switch (status) {
    case bhttp::status::uri_too_long:
      return "the request target is longer than " + std::to_string(limits.max_url_bytes) + " bytes";
    case bhttp::status::request_header_fields_too_large:
      return "the header block is larger than " + std::to_string(limits.max_header_bytes) +
             " bytes";
    case bhttp::status::payload_too_large:
      return "the body is larger than the " + std::to_string(body_limit) +
             " bytes this route accepts";
    default:
      return "malformed HTTP request";
  }
}

// The answer to a request refused by the connection rules; the connection
// closes after it. The public API answers 414/431/413 with syntax_error and
// 400 with an empty body; a RawHandler answers through refuse().
Response Refusal(bhttp::status status, std::string problem, Exchange& ex, const SessionDeps& deps) {
  ex.ctx.keep_alive = false;
  if (deps.raw != nullptr) {
    return MakeRawResponse(deps.raw->refuse(static_cast<int>(status), problem), ex.ctx);
  }
  if (status == bhttp::status::bad_request) return MakeTextResponse(status, "", ex.ctx);
  ex.record.token = kSyntaxError;
  return MakeTextResponse(status, std::string(kSyntaxError), ex.ctx);
}

// A read error that deserves an answer before closing: limits (syntax_error)
// and malformed HTTP (400). Timeouts, resets and EOF are just closed.
// `body_limit`: the body limit the parser had, for the message.
std::optional<Response> ErrorResponse(const boost::system::error_code& ec,
                                      const beast::flat_buffer& buffer, Exchange& ex,
                                      const SessionDeps& deps, std::size_t body_limit) {
  const RequestLimits& limits = deps.dispatch.options.limits;
  if (auto status = LimitStatus(ec, buffer, limits)) {
    return Refusal(*status, RefusalProblem(*status, limits, body_limit), ex, deps);
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
      ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message &&
      ec != bhttp::error::need_buffer) {
    return Refusal(bhttp::status::bad_request, "malformed HTTP request: " + ec.message(), ex, deps);
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
asio::awaitable<bool> SendContinueIfExpected(Stream& stream, const bhttp::request_header<>& req) {
  if (req.version() < 11 || !EqualsIgnoreCase(req[bhttp::field::expect], "100-continue")) {
    co_return true;
  }
  bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, req.version()};
  auto [ec, n] = co_await bhttp::async_write(stream, cont, kAwaitTuple);
  co_return !ec;
}

// The Transfer-Encoding problem of a request header, or nullopt.
std::optional<std::string> RequestFramingProblem(const bhttp::request_header<>& req) {
  std::vector<std::string_view> transfer_encodings;
  for (auto [it, end] = req.equal_range(bhttp::field::transfer_encoding); it != end; ++it) {
    transfer_encodings.push_back(it->value());
  }
  const bool has_content_length = req.find(bhttp::field::content_length) != req.end();
  return FramingProblem(req.version(), transfer_encodings, has_content_length);
}

Exchange StartExchange(const Connection& conn, const SessionDeps& deps) {
  Exchange ex;
  ex.record.request_id = ++deps.next_request_id;
  ex.record.peer = conn.peer_ip;
  ex.ctx = ReplyContext{11, false, ex.record.request_id, deps.dispatch.options.retry_after};
  return ex;
}

// Reads the header of the next request (its first bytes are in `buffer`)
// within the header timeout and checks it against the connection rules:
// URL and header limits, Transfer-Encoding. nullopt: go on with the body;
// else the request was refused (or the connection failed) and this is how
// the connection ends.
template <class Stream, class Parser>
asio::awaitable<std::optional<Next>> ReadHeader(Stream& stream, beast::flat_buffer& buffer,
                                                Parser& parser, Exchange& ex,
                                                const SessionDeps& deps) {
  const ServerOptions& options = deps.dispatch.options;
  parser.header_limit(static_cast<std::uint32_t>(
      options.limits.max_url_bytes + options.limits.max_header_bytes + kRequestLineOverheadBytes));
  Lowest(stream).expires_after(options.timeouts.header_read);
  auto [ec, header_bytes] = co_await bhttp::async_read_header(stream, buffer, parser, kAwaitTuple);
  if (ec) {
    std::optional<Response> res =
        ErrorResponse(ec, buffer, ex, deps, options.limits.max_body_bytes);
    if (!res) co_return Next::kClose;
    co_return co_await Refuse(stream, *res, ex, deps);
  }
  const bhttp::request_header<>& req = parser.get();
  ex.record.method = std::string(req.method_string());
  ex.ctx.version = req.version();
  if (auto status = HeaderOverLimit(req, header_bytes, options.limits)) {
    Response res = Refusal(*status, RefusalProblem(*status, options.limits, 0), ex, deps);
    co_return co_await Refuse(stream, res, ex, deps);
  }
  if (std::optional<std::string> problem = RequestFramingProblem(req)) {
    Response res = Refusal(bhttp::status::bad_request, *problem, ex, deps);
    co_return co_await Refuse(stream, res, ex, deps);
  }
  co_return std::nullopt;
}

// --- RawHandler requests ---------------------------------------------------

using RawParser = bhttp::request_parser<bhttp::buffer_body>;

// Reads the whole body into `body` as the public API does (all of it within
// the body_read timeout), up to `max_bytes`. nullopt: read; else how the
// connection ends (refused with 413 or 400, or failed).
template <class Stream>
asio::awaitable<std::optional<Next>> ReadWholeBody(Stream& stream, beast::flat_buffer& buffer,
                                                   RawParser& parser, std::size_t max_bytes,
                                                   std::string& body, Exchange& ex,
                                                   const SessionDeps& deps) {
  if (parser.is_done()) co_return std::nullopt;
  parser.body_limit(max_bytes);
  const bool continued = co_await SendContinueIfExpected(stream, parser.get());
  if (!continued) co_return Next::kClose;
  Lowest(stream).expires_after(deps.dispatch.options.timeouts.body_read);
  while (!parser.is_done()) {
    const std::size_t had = body.size();
    body.resize(had + kRawChunkBytes);
    parser.get().body().data = body.data() + had;
    parser.get().body().size = kRawChunkBytes;
    auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kAwaitTuple);
    body.resize(had + kRawChunkBytes - parser.get().body().size);
    if (!ec || ec == bhttp::error::need_buffer) continue;
    std::optional<Response> res = ErrorResponse(ec, buffer, ex, deps, max_bytes);
    if (!res) co_return Next::kClose;
    co_return co_await Refuse(stream, *res, ex, deps);
  }
  co_return std::nullopt;
}

// A streamed body being pulled by the handler: the state the pulls share.
// Lives in ServeRaw's frame, which is suspended while the handler runs.
template <class Stream>
struct Pull {
  Stream& stream;
  beast::flat_buffer& buffer;
  RawParser& parser;
  std::chrono::milliseconds timeout;
  asio::any_io_executor strand;
  bool started = false;
  std::size_t bytes = 0;
};

// What one pull got (co_spawn's future needs a default-constructible value).
struct Pulled {
  Status status;
  std::string chunk;  // empty at the end of the body
};

// One pull, on the connection's strand: up to kRawChunkBytes of the body,
// each pull within the body_read timeout.
template <class Stream>
asio::awaitable<Pulled> PullChunk(Pull<Stream>& pull) {
  if (!pull.started) {
    pull.started = true;
    const bool continued = co_await SendContinueIfExpected(pull.stream, pull.parser.get());
    if (!continued) co_return Pulled{Status::IOError("the client is gone"), {}};
  }
  std::string chunk(kRawChunkBytes, '\0');
  while (!pull.parser.is_done()) {
    pull.parser.get().body().data = chunk.data();
    pull.parser.get().body().size = chunk.size();
    Lowest(pull.stream).expires_after(pull.timeout);
    auto [ec, n] = co_await bhttp::async_read(pull.stream, pull.buffer, pull.parser, kAwaitTuple);
    const std::size_t got = chunk.size() - pull.parser.get().body().size;
    if (ec && ec != bhttp::error::need_buffer) {
      co_return Pulled{
          Status::IOError("reading the request body: " +
                          (ec == beast::error::timeout ? std::string("timed out") : ec.message())),
          {}};
    }
    if (got > 0) {
      chunk.resize(got);
      pull.bytes += got;
      co_return Pulled{Status::Ok(), std::move(chunk)};
    }
  }
  co_return Pulled{Status::Ok(), {}};
}

// The ChunkReader a handler gets: runs PullChunk on the strand and waits.
template <class Stream>
class BodyPuller {
 public:
  explicit BodyPuller(Pull<Stream>* pull) : pull_(pull) {}
  Result<std::string> operator()() const {
    try {
      Pulled pulled = asio::co_spawn(pull_->strand, PullChunk(*pull_), asio::use_future).get();
      if (!pulled.status.ok()) return pulled.status;
      return std::move(pulled.chunk);
    } catch (const std::exception& e) {
      return Status::IOError(std::string("reading the request body: ") + e.what());
    }
  }

 private:
  Pull<Stream>* pull_;
};

// One chunk of a streamed answer, on the connection's strand.
template <class Stream>
asio::awaitable<Status> PushChunk(Stream& stream, std::string_view chunk,
                                  std::chrono::milliseconds timeout) {
  Lowest(stream).expires_after(timeout);
  auto [ec, n] =
      co_await asio::async_write(stream, bhttp::make_chunk(asio::buffer(chunk)), kAwaitTuple);
  if (ec) co_return Status::IOError("writing the answer: " + ec.message());
  co_return Status::Ok();
}

// The ChunkWriter a streamed answer gets: runs PushChunk and waits.
template <class Stream>
class ChunkPusher {
 public:
  ChunkPusher(Stream* stream, asio::any_io_executor strand, std::chrono::milliseconds timeout,
              std::size_t* bytes)
      : stream_(stream), strand_(std::move(strand)), timeout_(timeout), bytes_(bytes) {}
  Status operator()(std::string_view chunk) const {
    if (chunk.empty()) return Status::Ok();  // an empty chunk would end the body
    try {
      Status pushed =
          asio::co_spawn(strand_, PushChunk(*stream_, chunk, timeout_), asio::use_future).get();
      if (pushed.ok()) *bytes_ += chunk.size();
      return pushed;
    } catch (const std::exception& e) {
      return Status::IOError(std::string("writing the answer: ") + e.what());
    }
  }

 private:
  Stream* stream_;
  asio::any_io_executor strand_;
  std::chrono::milliseconds timeout_;
  std::size_t* bytes_;
};

// Writes a streamed answer: the header, the chunks `raw.stream` produces on
// the pool (each within the write timeout), the last chunk. False when the
// answer was broken off (the client then sees no last chunk).
template <class Stream>
asio::awaitable<bool> WriteStreamed(Stream& stream, const RawResponse& raw, Exchange& ex,
                                    const SessionDeps& deps) {
  const auto timeout = deps.dispatch.options.timeouts.body_read;
  auto header = MakeRawStreamHeader(raw, ex.ctx);
  bhttp::response_serializer<bhttp::empty_body> serializer{header};
  Lowest(stream).expires_after(timeout);
  auto [ec, n] = co_await bhttp::async_write_header(stream, serializer, kAwaitTuple);
  std::size_t bytes = 0;
  Status streamed = Status::IOError("writing the answer's header: " + ec.message());
  if (!ec) {
    const asio::any_io_executor strand = co_await asio::this_coro::executor;
    const ChunkWriter writer = ChunkPusher<Stream>(&stream, strand, timeout, &bytes);
    streamed = co_await CallBlocking(deps.dispatch.pool, raw, writer);
  }
  if (streamed.ok()) {
    Lowest(stream).expires_after(timeout);
    auto [last_ec, last_n] =
        co_await asio::async_write(stream, bhttp::make_chunk_last(), kAwaitTuple);
    if (last_ec) streamed = Status::IOError("writing the last chunk: " + last_ec.message());
  }
  if (!streamed.ok()) {
    spdlog::warn("request {}: streamed answer broken off: {}", ex.record.request_id,
                 streamed.message());
  }
  LogExchange(ex, static_cast<unsigned>(raw.status), bytes);
  co_return streamed.ok();
}

// A request for a RawHandler: header, plan, body (whole or streamed), the
// handler on the pool, the answer (whole or streamed).
template <class Stream>
asio::awaitable<Next> ServeRaw(Stream& stream, beast::flat_buffer& buffer, const Connection& conn,
                               const SessionDeps& deps, Exchange& ex) {
  const RawHandler& handler = *deps.raw;
  RawParser parser;
  parser.body_limit(boost::none);  // the plan decides
  const std::optional<Next> refused = co_await ReadHeader(stream, buffer, parser, ex, deps);
  if (refused) co_return *refused;
  const auto& req = parser.get();
  RawRequest request{std::string(req.method_string()),
                     std::string(req.target()),
                     std::string(req[bhttp::field::authorization]),
                     std::string(req[bhttp::field::content_type]),
                     conn.peer_ip,
                     {},
                     {}};
  const RequestPlan plan = handler.plan(request.method, request.target, request.content_type);
  ex.record.path = plan.log_path;
  if (auto length = parser.content_length(); length && *length > plan.max_body_bytes) {
    Response res = Refusal(bhttp::status::payload_too_large,
                           RefusalProblem(bhttp::status::payload_too_large,
                                          deps.dispatch.options.limits, plan.max_body_bytes),
                           ex, deps);
    co_return co_await Refuse(stream, res, ex, deps);
  }
  const asio::any_io_executor strand = co_await asio::this_coro::executor;
  Pull<Stream> pull{stream, buffer, parser, deps.dispatch.options.timeouts.body_read, strand};
  if (plan.stream_body) {
    request.read_body = BodyPuller<Stream>(&pull);
  } else {
    const std::optional<Next> unread =
        co_await ReadWholeBody(stream, buffer, parser, plan.max_body_bytes, request.body, ex, deps);
    if (unread) co_return *unread;
  }
  InFlightSlot slot(deps.dispatch.in_flight, deps.dispatch.options.max_in_flight);
  RawResponse response;
  if (slot.admitted()) {
    response = co_await CallBlocking(deps.dispatch.pool, handler, request);
  } else {
    response = handler.refuse(503, "the server is busy");
  }
  ex.record.bytes_in = plan.stream_body ? pull.bytes : request.body.size();
  // A body the handler left unread ends the connection (after lingering, so
  // the client reads the answer instead of a reset).
  const bool body_read = parser.is_done();
  ex.ctx.keep_alive = req.keep_alive() && body_read && !deps.registry.stopping();
  bool written = false;
  if (response.stream) {
    written = co_await WriteStreamed(stream, response, ex, deps);
  } else {
    Response res = MakeRawResponse(response, ex.ctx);
    written = co_await WriteResponse(stream, res, req.method() == bhttp::verb::head, ex, deps);
  }
  if (!body_read) co_return written ? Next::kCloseLingering : Next::kClose;
  co_return written&& ex.ctx.keep_alive ? Next::kContinue : Next::kClose;
}

// --- the public API --------------------------------------------------------

// Reads, answers and logs one request whose first bytes are in `buffer`.
template <class Stream>
asio::awaitable<Next> ServeOne(Stream& stream, beast::flat_buffer& buffer, const Connection& conn,
                               const SessionDeps& deps) {
  const ServerOptions& options = deps.dispatch.options;
  Exchange ex = StartExchange(conn, deps);
  if (deps.raw != nullptr) co_return co_await ServeRaw(stream, buffer, conn, deps, ex);

  bhttp::request_parser<bhttp::string_body> parser;
  parser.body_limit(options.limits.max_body_bytes);
  const std::optional<Next> refused = co_await ReadHeader(stream, buffer, parser, ex, deps);
  if (refused) co_return *refused;
  const Request& req = parser.get();
  const bool continued = co_await SendContinueIfExpected(stream, req);
  if (!continued) co_return Next::kClose;
  if (!parser.is_done()) {
    Lowest(stream).expires_after(options.timeouts.body_read);
    auto [body_ec, body_bytes] = co_await bhttp::async_read(stream, buffer, parser, kAwaitTuple);
    if (body_ec) {
      std::optional<Response> res =
          ErrorResponse(body_ec, buffer, ex, deps, options.limits.max_body_bytes);
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
