#include "store/postgres/pool.h"

#include <algorithm>

#include "store/postgres/pg_url.h"

namespace campaignd::store::postgres {

Pool::Pool(std::string url, std::size_t size)
    : url_(std::move(url)), size_(std::max<std::size_t>(size, 1)) {}

Pool::~Pool() { Close(); }

Result<Pool::Lease> Pool::Checkout() {
  std::unique_lock lock(mu_);
  const Clock::time_point deadline = Clock::now() + kPoolWaitTimeout;
  for (;;) {
    if (closed_) return Status::Unavailable("store is closed");
    if (!idle_.empty()) {
      std::unique_ptr<Connection> conn = std::move(idle_.back());
      idle_.pop_back();
      if (conn->CheckAlive()) return Lease(this, std::move(conn));
      --opened_;  // closed by the server meanwhile: replace it
      continue;
    }
    if (opened_ < size_) return Connect(lock);
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        opened_ >= size_) {
      return Status::Unavailable("all " + std::to_string(size_) +
                                 " PostgreSQL connections stayed busy for " +
                                 std::to_string(kPoolWaitTimeout.count()) + " s");
    }
  }
}

// REQUIRES: lock held, opened_ < size_. Returns with the lock held.
Result<Pool::Lease> Pool::Connect(std::unique_lock<std::mutex>& lock) {
  if (down_ && (Clock::now() < retry_at_ || probing_)) {
    return Status::Unavailable("database unavailable (" + last_error_.message() + ")");
  }
  ++opened_;
  const bool probe = down_;
  probing_ = probing_ || probe;
  lock.unlock();
  Result<std::unique_ptr<Connection>> conn = Connection::Open(url_, kConnectTimeout);
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
  return Lease(this, std::move(*conn));
}

void Pool::Return(std::unique_ptr<Connection> conn) {
  if (!conn->broken() && !conn->idle()) conn->Rollback();  // a caller's leftover transaction
  std::lock_guard lock(mu_);
  if (conn->broken() || !conn->idle() || closed_) {
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

void Pool::Close() {
  std::unique_lock lock(mu_);
  closed_ = true;
  cv_.notify_all();
  cv_.wait(lock, [&] { return idle_.size() == opened_; });
  idle_.clear();
  opened_ = 0;
}

}  // namespace campaignd::store::postgres
