// ServerOptions: how the public API server listens and what it puts up with
// (limits and timeouts default to core/limits.h; tests shorten them), and
// ApiHandler, the request work main.cc injects (ops::HandleRequest).
// Callers: main.cc (from the config), http/server.cc, tests.
// Threads: constant after Server construction.
#ifndef CAMPAIGND_HTTP_SERVER_OPTIONS_H_
#define CAMPAIGND_HTTP_SERVER_OPTIONS_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "auth/caller.h"
#include "core/limits.h"
#include "core/params.h"
#include "ops/operation.h"

namespace campaignd::http {

// The request work. It blocks (store I/O): the server runs it on its
// blocking pool, never on an I/O thread. It must be safe to call from
// several pool threads at once.
using ApiHandler = std::function<ops::Answer(const auth::RequestInfo&, const Params&)>;

// Optional: the same work tried on the I/O thread first (ops::HandleInline).
// It must not block. False: not taken, the ApiHandler runs on the pool.
// True: `done` is called exactly once with the answer, on any thread.
using InlineHandler =
    std::function<bool(const auth::RequestInfo&, const Params&, ops::AnswerDone& done)>;

// Opens and clicks (events.md §3): GET /r/{token} and GET|HEAD /o/{token}.gif.
struct TrackingRequest {
  bool click = false;      // /r/ (else the pixel /o/)
  std::string token;       // the path segment as sent (".gif" removed)
  bool head = false;       // a HEAD request
  std::string user_agent;  // as sent
  std::string client_ip;   // after the trusted-proxy rules
};
struct TrackingAnswer {
  enum class Kind {
    kNotFound,  // 404, nothing recorded
    kRedirect,  // 302 to `location`
    kPixel,     // the 43-byte GIF
    kBlocking,  // not answerable from memory: call again with may_block
  };
  Kind kind = Kind::kNotFound;
  std::string location;  // kRedirect: an absolute http(s) URL, printable ASCII
};
// Runs on the I/O thread with may_block false (it must not block then),
// and once more on the blocking pool with may_block true when it answered
// kBlocking. Empty: /r/ and /o/ are 404.
using TrackingHandler = std::function<TrackingAnswer(const TrackingRequest&, bool may_block)>;

// I/O threads: one handles ~100k trivial requests/s here (design.md §1).
inline constexpr std::size_t kDefaultIoThreads = 1;
// Blocking threads: handlers wait on the store; a few more than cores.
inline constexpr std::size_t kDefaultBlockingThreads = 8;

struct RequestLimits {
  std::size_t max_url_bytes = limits::kMaxUrlBytes;        // 414 above
  std::size_t max_header_bytes = limits::kMaxHeaderBytes;  // 431 above
  std::size_t max_body_bytes = limits::kMaxBodyBytes;      // 413 above
  std::size_t max_params = limits::kMaxParams;             // 413 above
};

struct Timeouts {
  std::chrono::milliseconds header_read = limits::kHeaderReadTimeout;
  // Also bounds writing one response (a client that does not read).
  std::chrono::milliseconds body_read = limits::kBodyReadTimeout;
  std::chrono::milliseconds keep_alive_idle = limits::kKeepAliveIdleTimeout;
  std::chrono::milliseconds shutdown_grace = limits::kShutdownGrace;
  std::chrono::milliseconds linger = limits::kLingerTimeout;
};

struct TlsListenerOptions {
  std::string endpoint;   // "host:port" or "[v6]:port"
  std::string cert_file;  // PEM certificate chain
  std::string key_file;   // PEM private key
};

struct ServerOptions {
  std::vector<std::string> listen = {"127.0.0.1:8080"};  // plain HTTP
  std::optional<TlsListenerOptions> tls;                 // requests on it are "https"
  std::size_t io_threads = kDefaultIoThreads;
  std::size_t blocking_threads = kDefaultBlockingThreads;
  // Peers (CIDRs) whose X-Forwarded-For / X-Forwarded-Proto are believed.
  std::vector<std::string> trusted_proxies;
  RequestLimits limits;
  Timeouts timeouts;
  // Requests handed to the handler at once; more are answered 503.
  std::size_t max_in_flight = limits::kMaxInFlightRequests;
  std::chrono::seconds retry_after = limits::kRetryAfter;
};

}  // namespace campaignd::http

#endif  // CAMPAIGND_HTTP_SERVER_OPTIONS_H_
