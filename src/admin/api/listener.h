// AdminListener: the admin API's HTTP/1.1 listener (default 127.0.0.1:8081,
// setting admin_listen; behaviour.md §5: never the public port unless
// configured). It is an http::Server carrying a RawHandler, so it has the
// public API's connection rules - asynchronous I/O, no connection slots to
// exhaust, header / body / keep-alive / write timeouts, URL and header
// limits, one accepted Transfer-Encoding - while a CSV upload streams from
// the socket into HandleAdmin's body reader and an export back as chunked
// encoding (docs/decisions/0012-admin-api.md "Where it listens").
// Bodies by route (router.h BodyRuleFor): JSON read whole up to 1 MiB
// before the handler; the bulk upsert and the CSV import streamed to it.
// Threads: Start/Stop from one controlling thread; the handler runs on the
// listener's blocking pool and must be thread-safe.
// Errors: Start() fails (address, bind) with a Status; everything on the
// request path is an answer in the JSON error shape.
#ifndef CAMPAIGND_ADMIN_API_LISTENER_H_
#define CAMPAIGND_ADMIN_API_LISTENER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "admin/api/router.h"
#include "core/status.h"
#include "http/server.h"

namespace campaignd::admin::api {

// Threads running the handler (store calls, CSV rows): requests beyond
// them wait for one; more than limits::kMaxInFlightRequests at once: 503.
inline constexpr std::size_t kAdminBlockingThreads = 16;

struct AdminListenerOptions {
  std::string listen = "127.0.0.1:8081";  // "ip:port" or "[v6]:port"
  http::Timeouts timeouts;                // the public API's (config settings)
  std::size_t blocking_threads = kAdminBlockingThreads;
};

using AdminHandler = std::function<AdminResponse(const AdminRequest&)>;

class AdminListener {
 public:
  AdminListener(AdminListenerOptions options, AdminHandler handler);
  ~AdminListener();  // Stop()
  AdminListener(const AdminListener&) = delete;
  AdminListener& operator=(const AdminListener&) = delete;

  // Binds and starts serving. REQUIRES: called once.
  Status Start();
  // Stops as http::Server::Stop does: idle connections at once, requests in
  // flight within timeouts.shutdown_grace. Idempotent.
  void Stop();
  // The bound port (useful with port 0).
  uint16_t BoundPort() const { return server_->BoundPort(); }

 private:
  const std::string listen_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace campaignd::admin::api

#endif  // CAMPAIGND_ADMIN_API_LISTENER_H_
