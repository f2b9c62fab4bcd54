// Dispatch: one complete request -> its response. Routes the path, decodes
// the parameters, applies the in-flight limit, hands the API work to the
// blocking pool (or, when the inline handler takes it, answers it on the
// I/O thread with at most the store's commit in between) and turns the
// answer into HTTP (reply.h).
// Callers: http/session.cc, on the connection's strand.
// Threads: only CallBlocking and the inline handler's store work leave the
// I/O thread; the answer comes back to the connection's strand.
#ifndef CAMPAIGND_HTTP_DISPATCH_H_
#define CAMPAIGND_HTTP_DISPATCH_H_

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <string>

#include "http/access_log.h"
#include "http/reply.h"
#include "http/server_options.h"

namespace campaignd::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;

// What the request work needs; all referenced objects belong to the Server
// and outlive every connection.
struct DispatchDeps {
  const ServerOptions& options;
  const ApiHandler& handler;
  const InlineHandler& inline_handler;  // may be empty
  const TrackingHandler& tracking;      // may be empty
  boost::asio::thread_pool& pool;
  std::atomic<std::size_t>& in_flight;
};

// One request (of either handler kind) counted in flight for as long as it lives; admitted when the
// count before it was below `max`.
class InFlightSlot {
 public:
  InFlightSlot(std::atomic<std::size_t>& counter, std::size_t max)
      : counter_(counter), admitted_(counter.fetch_add(1) < max) {}
  ~InFlightSlot() { --counter_; }
  InFlightSlot(const InFlightSlot&) = delete;
  InFlightSlot& operator=(const InFlightSlot&) = delete;
  bool admitted() const { return admitted_; }

 private:
  std::atomic<std::size_t>& counter_;
  const bool admitted_;
};

struct Dispatched {
  Response response;
  bool close = false;  // answer with Connection: close, then close
};

// Answers `request` that came from `peer_ip` over a listener that is TLS
// or not; fills record's service, operation, mailing, peer and token.
// REQUIRES: ctx.version/keep_alive/request_id/retry_after set.
boost::asio::awaitable<Dispatched> Dispatch(const Request& request, const std::string& peer_ip,
                                            bool tls_listener, ReplyContext ctx,
                                            const DispatchDeps& deps, AccessRecord& record);

}  // namespace campaignd::http

#endif  // CAMPAIGND_HTTP_DISPATCH_H_
