// AdminListener: the admin API's own HTTP/1.1 listener (default
// 127.0.0.1:8081, setting admin_listen; behaviour.md §5: never the public
// port unless configured). Deliberately simple: blocking Beast I/O, one
// thread per connection, at most max_connections at once (operators and
// scripts, not the internet), so a CSV upload streams straight from the
// socket into HandleAdmin's body reader and an export straight back as
// chunked encoding. The public server (http/server.h) is not reused: its
// handler gets a fully read, form-decoded body on a pool, which cannot
// stream a million-row upload (docs/decisions/0012-admin-api.md).
// Threads: Start/Stop from one controlling thread; the handler runs on the
// connection threads and must be thread-safe.
// Errors: Start() fails (bind) with a Status; I/O errors end a connection.
#ifndef CAMPAIGND_ADMIN_API_LISTENER_H_
#define CAMPAIGND_ADMIN_API_LISTENER_H_

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "admin/api/router.h"
#include "core/status.h"

namespace campaignd::admin::api {

// Connections served at once; more wait in the listen backlog.
inline constexpr std::size_t kAdminMaxConnections = 16;
// A JSON body (everything but a CSV import) is read whole, up to this.
inline constexpr std::size_t kAdminMaxJsonBodyBytes = 16 * 1024 * 1024;
// A connection idle (or stalled) this long in one read or write is closed.
inline constexpr std::chrono::seconds kAdminIoTimeout{60};

struct AdminListenerOptions {
  std::string listen = "127.0.0.1:8081";  // "host:port" or "[v6]:port"
  std::size_t max_connections = kAdminMaxConnections;
  std::size_t max_json_body_bytes = kAdminMaxJsonBodyBytes;
  std::chrono::seconds io_timeout = kAdminIoTimeout;
};

using AdminHandler = std::function<AdminResponse(const AdminRequest&)>;

class AdminListener {
 public:
  AdminListener(AdminListenerOptions options, AdminHandler handler);
  ~AdminListener();  // Stop()
  AdminListener(const AdminListener&) = delete;
  AdminListener& operator=(const AdminListener&) = delete;

  // Binds and starts accepting. REQUIRES: called once.
  Status Start();
  // Stops accepting, closes every connection, joins every thread. Idempotent.
  void Stop();
  // The bound port (useful with port 0).
  uint16_t BoundPort() const { return port_; }

 private:
  struct Connection;
  void AcceptLoop();
  void Serve(std::shared_ptr<Connection> connection);

  // Constant after construction.
  const AdminListenerOptions options_;
  const AdminHandler handler_;

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_{io_};
  uint16_t port_ = 0;
  std::thread accept_thread_;
  std::atomic<bool> stopping_{false};

  std::mutex mu_;
  std::condition_variable cv_;                          // a connection ended
  std::list<std::shared_ptr<Connection>> connections_;  // guarded by mu_
};

}  // namespace campaignd::admin::api

#endif  // CAMPAIGND_ADMIN_API_LISTENER_H_
