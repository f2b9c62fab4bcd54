// ReadPool: a few read-only connections to one SQLite database, checked out
// by readers (Directory lookups, FindMail, History, CodeNames) and returned
// when the Lease ends. Never the writer's connection: in WAL mode readers
// run beside the writer and see every committed transaction.
// Threads: Checkout() from any thread; a Lease belongs to one thread.
// Errors: Unavailable after Close() or when a connection cannot be opened.
#ifndef CAMPAIGND_STORE_SQLITE_READ_POOL_H_
#define CAMPAIGND_STORE_SQLITE_READ_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/pool_lease.h"
#include "store/sqlite/database.h"

namespace campaignd::store::sqlite {

// Read connections per database: readers are short point lookups on 2-core
// hosts; more connections only cost memory (each has its own page cache).
inline constexpr std::size_t kReadConnections = 4;

class ReadPool {
 public:
  // A checked-out connection; returns it to the pool when destroyed.
  using Lease = PoolLease<ReadPool, Database>;

  // Connections are opened lazily, at most `max_connections`.
  ReadPool(std::string path, DatabaseOptions options, std::size_t max_connections);
  ~ReadPool();  // Close()

  // A connection; waits while all are checked out.
  Result<Lease> Checkout();

  // Waits until every lease is returned, then closes all connections;
  // later Checkout() calls fail. Idempotent.
  void Close();

 private:
  friend Lease;  // Return
  void Return(std::unique_ptr<Database> db);

  // Constant after construction.
  const std::string path_;
  const DatabaseOptions options_;
  const std::size_t max_connections_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Database>> idle_;  // guarded by mu_
  std::size_t opened_ = 0;                       // guarded by mu_
  bool closed_ = false;                          // guarded by mu_
};

// One consistent snapshot for several queries on a read connection:
// BEGIN on construction, COMMIT (ending the snapshot) on destruction.
class ReadTransaction {
 public:
  explicit ReadTransaction(Database& db);
  ~ReadTransaction();
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;
  // Whether BEGIN worked; check before the queries.
  const Status& status() const { return status_; }

 private:
  Database& db_;
  Status status_;
};

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_READ_POOL_H_
