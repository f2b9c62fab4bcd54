// ConnectionRegistry: the open connections of one Server, so that Stop()
// can close the idle ones at once, let busy ones finish their request, and
// close whatever is left when the grace period ends.
// Callers: http/session.cc (Add/Remove/EnterIdle/LeaveIdle, on the
// connection's strand), http/server.cc (BeginStop/WaitEmpty/CloseAll).
// Threads: safe from any thread; closing runs on each connection's strand.
#ifndef CAMPAIGND_HTTP_CONNECTION_REGISTRY_H_
#define CAMPAIGND_HTTP_CONNECTION_REGISTRY_H_

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>

namespace campaignd::http {

class ConnectionRegistry {
 public:
  // Registers a connection whose operations run on `strand`. `stream` must
  // stay valid until Remove(id), which must also run on `strand`.
  uint64_t Add(boost::asio::any_io_executor strand, boost::beast::tcp_stream* stream);
  void Remove(uint64_t id);

  // The connection waits for its next request. False when the server is
  // stopping: the caller closes the connection instead.
  bool EnterIdle(uint64_t id);
  void LeaveIdle(uint64_t id);
  bool stopping() const;

  // From now on EnterIdle fails; connections idle now are closed.
  void BeginStop();
  // Closes every connection (pending reads and writes fail).
  void CloseAll();
  // Blocks until no connection is registered or `deadline`; true if empty.
  bool WaitEmpty(std::chrono::steady_clock::time_point deadline);

 private:
  struct Entry {
    boost::asio::any_io_executor strand;
    boost::beast::tcp_stream* stream = nullptr;
    bool idle = false;
  };
  // Posts a close of `id` to its strand; skipped there if `only_if_idle`
  // and the connection is no longer idle. REQUIRES: mu_ held.
  void PostClose(uint64_t id, const Entry& entry, bool only_if_idle);

  mutable std::mutex mu_;
  std::condition_variable empty_;
  std::map<uint64_t, Entry> entries_;  // guarded by mu_
  uint64_t next_id_ = 1;               // guarded by mu_
  bool stopping_ = false;              // guarded by mu_
};

}  // namespace campaignd::http

#endif  // CAMPAIGND_HTTP_CONNECTION_REGISTRY_H_
