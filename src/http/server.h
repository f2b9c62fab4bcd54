// Server: the public HTTP API listener (behaviour.md §2). Plain listeners
// and an optional TLS listener feed one coroutine per connection
// (session.h); the injected ApiHandler runs on a blocking pool. A Server
// built with a RawHandler (raw_handler.h) serves that instead, under the
// same connection rules (limits, timeouts, framing, graceful stop).
// Callers: main.cc (the api role), admin/api/listener.cc (RawHandler), tests. Threads:
// Start/Stop/Bound* from one controlling thread; the server runs on its own I/O and pool threads.
// Errors: Start() returns a failed Status when it cannot listen (bind,
// TLS certificate); nothing on the request path fails the server.
#ifndef CAMPAIGND_HTTP_SERVER_H_
#define CAMPAIGND_HTTP_SERVER_H_

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "core/status.h"
#include "http/connection_registry.h"
#include "http/raw_handler.h"
#include "http/server_options.h"

namespace campaignd::http {

class Server {
 public:
  Server(ServerOptions options, ApiHandler handler, InlineHandler inline_handler = {},
         TrackingHandler tracking = {});
  // Serves `raw` instead of the public API. REQUIRES: plan, handle and
  // refuse set.
  Server(ServerOptions options, RawHandler raw);
  // Stops the server if it runs.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every listener and starts serving. A failed Status names the
  // endpoint or file and the reason; then nothing listens.
  // REQUIRES: called once.
  Status Start();

  // Graceful stop: stops accepting, closes idle keep-alive connections,
  // lets requests in flight finish (up to timeouts.shutdown_grace), then
  // closes the rest and returns when no I/O or pool thread runs.
  void Stop();

  // The port of the first plain listener (useful with port 0), 0 if none.
  uint16_t BoundPort() const;
  // The port of the TLS listener, 0 if none.
  uint16_t TlsBoundPort() const;

 private:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  using Acceptor = boost::asio::basic_socket_acceptor<boost::asio::ip::tcp, Strand>;

  // Binds one listener / all of them (plain, then TLS).
  Status Listen(const std::string& endpoint, bool tls);
  Status ListenAll();
  void StartAccepting(Acceptor& acceptor, bool tls);
  boost::asio::awaitable<void> AcceptLoop(Acceptor& acceptor, bool tls);

  // Constant after construction.
  const ServerOptions options_;
  const ApiHandler handler_;  // empty when raw_ is used
  const InlineHandler inline_handler_;  // may be empty
  const TrackingHandler tracking_;      // may be empty: /r/ and /o/ are 404
  const std::optional<RawHandler> raw_;

  // Shared with the connections; declared before io_ so that they outlive
  // the coroutine frames io_ destroys.
  ConnectionRegistry registry_;
  std::atomic<std::size_t> in_flight_{0};
  std::atomic<uint64_t> next_request_id_{0};
  std::optional<boost::asio::ssl::context> tls_context_;
  std::optional<boost::asio::thread_pool> pool_;  // made by Start()

  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::vector<std::unique_ptr<Acceptor>> plain_acceptors_;
  std::unique_ptr<Acceptor> tls_acceptor_;
  std::vector<std::thread> io_threads_;
  bool running_ = false;
};

}  // namespace campaignd::http

#endif  // CAMPAIGND_HTTP_SERVER_H_
