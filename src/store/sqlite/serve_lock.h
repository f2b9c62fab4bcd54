// ServeLock: proof that this process is the only `campaignd serve` that
// delivers from one SQLite database - an exclusive flock(2) on
// "PATH.serve-lock", held until the lock is destroyed (or the process
// dies, when the kernel drops it). With it the engine may hand back every
// claim at start-up (MailQueue::ReleaseAllClaims) instead of waiting for
// leases to expire. Threads: a value owned by the engine.
// Errors: Unavailable when another process (or another open) holds it.
#ifndef CAMPAIGND_STORE_SQLITE_SERVE_LOCK_H_
#define CAMPAIGND_STORE_SQLITE_SERVE_LOCK_H_

#include <string>

#include "core/status.h"

namespace campaignd::store::sqlite {

class ServeLock {
 public:
  // Creates "<db_path>.serve-lock" if needed and locks it without waiting.
  static Result<ServeLock> Acquire(const std::string& db_path);

  ServeLock(ServeLock&& other) noexcept;
  ServeLock& operator=(ServeLock&&) = delete;
  ServeLock(const ServeLock&) = delete;
  ~ServeLock();  // unlocks

 private:
  explicit ServeLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_SERVE_LOCK_H_
