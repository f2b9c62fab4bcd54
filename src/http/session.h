// One coroutine per connection (model: Beast advanced_server_flex_awaitable
// run_session): wait for a request, read its header and body within the
// limits and timeouts of ServerOptions, dispatch, write, and loop while
// keep-alive. Over a limit: 414 / 431 / 413 with body syntax_error (a
// RawHandler's refuse() answer instead) and Connection: close; a
// Transfer-Encoding other than one "chunked" (request.h FramingProblem):
// 400 and close. With a RawHandler the body is read as its plan says and
// may be streamed to and from the pool (raw_handler.h).
// error_code / as_tuple throughout, no exceptions.
// Callers: http/server.cc (one co_spawn per accepted socket, on a strand).
// Threads: each connection runs on its own strand of the I/O context.
#ifndef CAMPAIGND_HTTP_SESSION_H_
#define CAMPAIGND_HTTP_SESSION_H_

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>

#include "http/connection_registry.h"
#include "http/dispatch.h"
#include "http/raw_handler.h"

namespace campaignd::http {

// Everything a connection uses; owned by the Server, outlives connections.
struct SessionDeps {
  DispatchDeps dispatch;
  ConnectionRegistry& registry;
  std::atomic<uint64_t>& next_request_id;
  // Set: requests go to it instead of Dispatch (dispatch.handler unused).
  const RawHandler* raw = nullptr;
};

// Serves plain HTTP on `socket` until the client or the server closes it.
// REQUIRES: runs on the socket's (strand) executor.
boost::asio::awaitable<void> RunPlainSession(boost::asio::ip::tcp::socket socket, SessionDeps deps);

// The same after a TLS handshake with `tls`; requests count as https.
boost::asio::awaitable<void> RunTlsSession(boost::asio::ip::tcp::socket socket,
                                           boost::asio::ssl::context& tls, SessionDeps deps);

}  // namespace campaignd::http

#endif  // CAMPAIGND_HTTP_SESSION_H_
