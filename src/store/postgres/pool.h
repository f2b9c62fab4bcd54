// Pool: the PostgreSQL connections of one engine, shared by every caller
// (Directory lookups, claims, records, the enqueue batcher, Apply).
//
// Policy. Connections are opened lazily, at most `size`. A connection that
// comes back broken (or with a transaction left open) is discarded; an idle
// one is checked for a close by the server (restart, pg_terminate_backend)
// before it is handed out, so a server restart costs no failed request.
// When a connect fails the pool is "down": for a back-off (kReconnectBackoff,
// doubling up to kMaxReconnectBackoff) every Checkout that needs a new
// connection fails at once with Unavailable instead of waiting out another
// connect timeout, and afterwards one caller at a time probes the server
// while the others still fail fast. The first connect that works ends it:
// everything resumes by itself. A caller waits for a busy pool at most
// kPoolWaitTimeout.
// Threads: Checkout() from any thread; a Lease belongs to one thread.
// Errors: Unavailable (down, closed, timed out waiting).
#ifndef CAMPAIGND_STORE_POSTGRES_POOL_H_
#define CAMPAIGND_STORE_POSTGRES_POOL_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/pool_lease.h"
#include "store/postgres/connection.h"

namespace campaignd::store::postgres {

// Connections per process unless EngineOptions says otherwise: the blocking
// pool's threads mostly wait for the network, 8 keeps a 2-core server busy.
inline constexpr std::size_t kDefaultPoolSize = 8;
// libpq's minimum; a server that does not answer within it is "down".
inline constexpr std::chrono::seconds kConnectTimeout{2};
// After a failed connect, fail fast this long before the next attempt.
inline constexpr std::chrono::milliseconds kReconnectBackoff{250};
inline constexpr std::chrono::milliseconds kMaxReconnectBackoff{2000};
// Longest wait for a connection when all are in use.
inline constexpr std::chrono::seconds kPoolWaitTimeout{10};

class Pool {
 public:
  // A checked-out connection; goes back to the pool (or is discarded when
  // broken or inside a transaction) when destroyed.
  using Lease = PoolLease<Pool, Connection>;

  Pool(std::string url, std::size_t size);
  ~Pool();  // Close()

  Result<Lease> Checkout();

  // Waits until every lease is back, then closes all connections; later
  // Checkout() calls fail. Idempotent.
  void Close();

 private:
  using Clock = std::chrono::steady_clock;
  Result<Lease> Connect(std::unique_lock<std::mutex>& lock);
  friend Lease;  // Return
  void Return(std::unique_ptr<Connection> conn);

  // Constant after construction.
  const std::string url_;
  const std::size_t size_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mu_
  std::size_t opened_ = 0;                         // guarded by mu_ (idle + leased + connecting)
  bool closed_ = false;                            // guarded by mu_
  bool down_ = false;                              // guarded by mu_: the last connect failed
  bool probing_ = false;                           // guarded by mu_: a connect runs while down
  Clock::time_point retry_at_;                     // guarded by mu_
  std::chrono::milliseconds backoff_{0};           // guarded by mu_
  Status last_error_;                              // guarded by mu_
};

}  // namespace campaignd::store::postgres

#endif  // CAMPAIGND_STORE_POSTGRES_POOL_H_
