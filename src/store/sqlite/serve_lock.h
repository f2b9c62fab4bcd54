// ServeLock: proof that this process is the only `campaignd serve` that
// delivers from one SQLite database - an exclusive flock(2) on the database
// file itself, held until the lock is destroyed (or the process dies, when
// the kernel drops it). The lock belongs to the file (its inode), not to a
// name: a second server reaching the same file through a symlink, a hard
// link or another relative path finds it taken. With it the engine may hand
// back every claim at start-up (MailQueue::ReleaseAllClaims) instead of
// waiting for leases to expire.
// flock and SQLite's own POSIX (fcntl) locks are independent on local file
// systems; the descriptor is closed only after every SQLite connection of
// the engine (closing a descriptor of the file drops the process's POSIX
// locks on it). SQLite in WAL mode needs a local file system anyway.
// Threads: a value owned by the engine.
// Errors: Unavailable when another process (or another open) holds it.
#ifndef CAMPAIGND_STORE_SQLITE_SERVE_LOCK_H_
#define CAMPAIGND_STORE_SQLITE_SERVE_LOCK_H_

#include <string>

#include "core/status.h"

namespace campaignd::store::sqlite {

class ServeLock {
 public:
  // Opens the database file `db_path` (creating it empty, mode 0600, if
  // needed) and locks it without waiting.
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
