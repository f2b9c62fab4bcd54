// Listener: the thread that turns PostgreSQL notifications on one channel
// into Notifier::Notify() calls - how an idle worker learns within
// milliseconds that any process committed new mail (the batcher's
// pg_notify() is delivered at commit).
// It holds its own connection (not a pooled one: LISTEN is per session).
// When that connection is lost it re-connects with a growing back-off
// (kListenRetry .. kMaxReconnectBackoff), LISTENs again and then notifies
// once, since mail may have arrived while nobody listened.
// Threads: its own; Notify() is called from it. Stop() from any thread.
#ifndef CAMPAIGND_STORE_POSTGRES_LISTENER_H_
#define CAMPAIGND_STORE_POSTGRES_LISTENER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "core/notifier.h"
#include "core/status.h"
#include "store/postgres/connection.h"

namespace campaignd::store::postgres {

// First wait before re-connecting after the connection was lost.
inline constexpr std::chrono::milliseconds kListenRetry{100};

class Listener {
 public:
  // Starts listening on kMailChannel of the database at `url`; returns after
  // the first attempt to connect and LISTEN (when it failed, the thread
  // keeps trying). REQUIRES: `notifier` outlives this.
  static std::unique_ptr<Listener> Start(std::string url, Notifier& notifier);
  ~Listener();  // Stop()
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Ends the thread (within a connect timeout at most). Idempotent.
  void Stop();

  // Connections established so far (tests watch re-connects).
  uint64_t connects() const { return connects_.load(); }

 private:
  Listener(std::string url, Notifier& notifier);
  // Serves `conn` (the first attempt's), then re-connects until Stop().
  void Run(Result<std::unique_ptr<Connection>> conn);
  Result<std::unique_ptr<Connection>> Listen();
  // Waits for notifications on `conn` until it breaks or Stop(); false on Stop.
  bool Serve(Connection& conn);
  // Sleeps `delay` unless stopped first; false when stopped.
  bool Sleep(std::chrono::milliseconds delay);

  // Constant after construction.
  const std::string url_;
  Notifier& notifier_;
  int wake_[2] = {-1, -1};  // pipe: Stop() writes, Serve()/Sleep() poll

  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> connects_{0};
  std::once_flag stop_once_;
  std::thread thread_;
};

}  // namespace campaignd::store::postgres

#endif  // CAMPAIGND_STORE_POSTGRES_LISTENER_H_
