// ConnectionPool<Connection>: the connections of one engine, shared by every
// caller - SQLite's read connections (sqlite/sqlite_runner.h) and PostgreSQL's
// (postgres/pool.h). A Lease gives its connection back when destroyed.
//
// Policy. Connections are opened lazily, at most `size`. One that comes back
// unusable (Hooks::reusable: PostgreSQL's broken or with a transaction left
// open) is discarded; an idle one that is no longer alive (Hooks::alive:
// closed by the server meanwhile) is replaced before it is handed out, so a
// server restart costs no failed request. When an open fails the pool is
// "down": for a back-off (kReconnectBackoff, doubling up to
// kMaxReconnectBackoff) every Checkout that needs a new connection fails at
// once with Unavailable instead of waiting out another connect timeout, and
// afterwards one caller at a time probes while the others still fail fast.
// The first open that works ends it: everything resumes by itself. A caller
// waits for a busy pool at most `wait_timeout` (zero: as long as it takes).
// Threads: Checkout() from any thread; a Lease belongs to one thread.
// Errors: Unavailable (down, closed, timed out waiting); the open's Status.
#ifndef CAMPAIGND_STORE_POOL_H_
#define CAMPAIGND_STORE_POOL_H_

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"

namespace campaignd::store {

// After a failed open, fail fast this long before the next attempt.
inline constexpr std::chrono::milliseconds kReconnectBackoff{250};
inline constexpr std::chrono::milliseconds kMaxReconnectBackoff{2000};

template <typename Connection>
class ConnectionPool {
 public:
  struct Hooks {
    std::function<Result<std::unique_ptr<Connection>>()> open{};
    std::function<bool(Connection&)> alive{};     // empty: always
    std::function<bool(Connection&)> reusable{};  // empty: always
    std::string what{};                           // "PostgreSQL connections", in messages
  };

  // A checked-out connection: given back (Return) when destroyed.
  struct GiveBack {
    ConnectionPool* pool;
    void operator()(Connection* conn) const { pool->Return(std::unique_ptr<Connection>(conn)); }
  };
  using Lease = std::unique_ptr<Connection, GiveBack>;

  ConnectionPool(Hooks hooks, std::size_t size, std::chrono::milliseconds wait_timeout)
      : hooks_(std::move(hooks)),
        size_(std::max<std::size_t>(size, 1)),
        wait_timeout_(wait_timeout) {}
  ~ConnectionPool() { Close(); }

  Result<Lease> Checkout() {
    std::unique_lock lock(mu_);
    const Clock::time_point deadline = Clock::now() + wait_timeout_;
    for (;;) {
      if (closed_) return Status::Unavailable("store is closed");
      if (!idle_.empty()) {
        std::unique_ptr<Connection> conn = std::move(idle_.back());
        idle_.pop_back();
        if (!hooks_.alive || hooks_.alive(*conn)) return Lease(conn.release(), GiveBack{this});
        --opened_;  // closed by the server meanwhile: replace it
        continue;
      }
      if (opened_ < size_) return Open(lock);
      if (wait_timeout_.count() == 0) {
        cv_.wait(lock);
      } else if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
                 opened_ >= size_) {
        return Status::Unavailable("all " + std::to_string(size_) + " " + hooks_.what +
                                   " stayed busy for " +
                                   std::to_string(wait_timeout_.count() / 1000) + " s");
      }
    }
  }

  // Waits until every lease is back, then closes all connections; later
  // Checkout() calls fail. Idempotent.
  void Close() {
    std::unique_lock lock(mu_);
    closed_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return idle_.size() == opened_; });
    idle_.clear();
    opened_ = 0;
  }

 private:
  using Clock = std::chrono::steady_clock;

  // REQUIRES: lock held, opened_ < size_. Returns with the lock held.
  Result<Lease> Open(std::unique_lock<std::mutex>& lock) {
    if (down_ && (Clock::now() < retry_at_ || probing_)) {
      return Status::Unavailable("database unavailable (" + last_error_.message() + ")");
    }
    ++opened_;
    const bool probe = down_;
    probing_ = probing_ || probe;
    lock.unlock();  // opening takes a while; others may use idle connections
    Result<std::unique_ptr<Connection>> conn = hooks_.open();
    lock.lock();
    if (probe) probing_ = false;
    if (!conn.ok()) {
      --opened_;
      backoff_ = down_ ? std::min(backoff_ * 2, kMaxReconnectBackoff) : kReconnectBackoff;
      down_ = true;
      retry_at_ = Clock::now() + backoff_;
      last_error_ = conn.status();
      cv_.notify_all();
      return conn.status();
    }
    down_ = false;
    return Lease(conn->release(), GiveBack{this});
  }

  void Return(std::unique_ptr<Connection> conn) {
    const bool reusable = !hooks_.reusable || hooks_.reusable(*conn);
    std::lock_guard lock(mu_);
    if (!reusable || closed_) {
      --opened_;
      conn.reset();
    } else {
      idle_.push_back(std::move(conn));
    }
    // One connection came back (or one slot to open): one waiter can use it.
    // Waking them all made each return a thundering herd (bench/RESULTS.md);
    // Close() waits on the same condition and needs every return.
    if (closed_) {
      cv_.notify_all();
    } else {
      cv_.notify_one();
    }
  }

  // Constant after construction.
  const Hooks hooks_;
  const std::size_t size_;
  const std::chrono::milliseconds wait_timeout_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mu_
  std::size_t opened_ = 0;                         // guarded by mu_ (idle + leased + opening)
  bool closed_ = false;                            // guarded by mu_
  bool down_ = false;                              // guarded by mu_: the last open failed
  bool probing_ = false;                           // guarded by mu_: an open runs while down
  Clock::time_point retry_at_;                     // guarded by mu_
  std::chrono::milliseconds backoff_{0};           // guarded by mu_
  Status last_error_;                              // guarded by mu_
};

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_POOL_H_
