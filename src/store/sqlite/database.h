// Database: one SQLite connection (RAII), opened the way campaignd needs it:
// no SQLite mutex (one connection per thread), WAL, foreign keys on, a busy
// timeout, and synchronous=FULL so a committed write survives power loss.
// Prepared statements are cached per connection.
// Callers: the writer thread (writer.h), the read pool (sqlite_runner.h), the
// migrator and tests. Threads: one thread at a time per Database.
// Errors: sqlite_error.h decides the Status of every failure.
#ifndef CAMPAIGND_STORE_SQLITE_DATABASE_H_
#define CAMPAIGND_STORE_SQLITE_DATABASE_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/limits.h"
#include "core/status.h"
#include "store/sqlite/statement.h"

struct sqlite3;
struct sqlite3_stmt;

namespace campaignd::store::sqlite {

// Mode of a database file campaignd creates: it holds mail-ID secrets, DKIM
// keys and relay passwords. SQLite gives the -wal and -shm files it creates
// the mode of the database file.
inline constexpr unsigned kDatabaseFileMode = 0600;

// OK unless the database file `path` or its -wal or -shm file (those that
// exist) may be read or written by other users (mode bits 006): then
// InvalidArgument naming the file, its mode and the chmod that fixes it.
// Group bits are the operator's choice (0640 with a group is fine).
Status CheckPrivateFiles(const std::string& path);

struct DatabaseOptions {
  // synchronous=FULL; false (synchronous=OFF) only for throw-away databases.
  bool durable = true;
  // PRAGMA query_only: the connection can never write (read pool).
  bool read_only = false;
  std::chrono::milliseconds busy_timeout = limits::kSqliteBusyTimeout;
};

class Database {
 public:
  // Opens or creates the database file at `path` (a new file is created
  // with kDatabaseFileMode, whatever the umask). A writable connection
  // switches it to WAL. IOError if the file is write-protected and
  // !options.read_only; Unavailable if it cannot be opened now.
  static Result<std::unique_ptr<Database>> Open(const std::string& path,
                                                const DatabaseOptions& options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more SQL statements without results (DDL, BEGIN, PRAGMA).
  Status Exec(std::string_view sql, std::string_view purpose);

  // A statement for `sql`, from the cache when no other use of the same SQL
  // is live. REQUIRES: the Statement does not outlive this Database.
  Result<Statement> Prepare(std::string_view sql, std::string_view purpose);

  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  int64_t Changes() const;
  // True inside BEGIN ... COMMIT (SQLite may end one on its own after an
  // I/O or disk-full error; the writer checks this).
  bool InTransaction() const;

  const std::string& path() const { return path_; }

 private:
  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  // Heterogeneous lookup: find by string_view without building a string.
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const {
      return std::hash<std::string_view>{}(sql);
    }
  };

  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status Configure(const DatabaseOptions& options);

  sqlite3* const db_;
  const std::string path_;
  std::unordered_map<std::string, CachedStatement, SqlHash, std::equal_to<>> cache_;
};

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_DATABASE_H_
