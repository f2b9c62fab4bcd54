// Connection: one libpq connection (RAII) and what campaignd does with it -
// run SQL text (migrations, BEGIN/COMMIT), run parameterised statements
// (prepared once per connection, cached by their SQL text, parameters as
// sql_session.h's SqlValue) and read their results (PgResult).
// Callers: the pool (pool.h) hands connections to every engine part; the
// listener (listener.h) and the migrator open their own.
// Threads: one thread at a time per Connection.
// Errors: every libpq failure becomes a Status through pg_error.h, naming
// the purpose; messages never contain the URL's password.
#ifndef CAMPAIGND_STORE_POSTGRES_CONNECTION_H_
#define CAMPAIGND_STORE_POSTGRES_CONNECTION_H_

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/limits.h"
#include "core/status.h"
#include "store/sql_session.h"

struct pg_conn;
struct pg_result;

namespace campaignd::store::postgres {

// Every connection waits at most this long for a lock another session holds
// (lock_timeout; then SQLSTATE 55P03, Unavailable): as long as SQLite's busy
// timeout, so a locked database is answered alike (503) on both engines. The
// migrator lifts it: it waits for another process's migration however long.
inline constexpr std::chrono::milliseconds kLockTimeout = limits::kSqliteBusyTimeout;

// Array literals for "$n::bigint[]" / "$n::text[]" parameters (unnest batches).
std::string IntArray(std::span<const int64_t> values);
std::string TextArray(std::span<const std::string> values);

// A successful statement's rows (text format). Move-only; frees on destruction.
class PgResult {
 public:
  explicit PgResult(pg_result* result) : result_(result) {}
  PgResult(PgResult&& other) noexcept;
  PgResult& operator=(PgResult&&) = delete;
  PgResult(const PgResult&) = delete;
  ~PgResult();

  int rows() const;
  // Rows an INSERT/UPDATE/DELETE changed.
  int64_t affected() const;
  // REQUIRES: row < rows(). A NULL reads as 0 / "" / false.
  bool IsNull(int row, int column) const;
  int64_t Int(int row, int column) const;
  std::string Text(int row, int column) const;
  std::string Bytes(int row, int column) const;  // a bytea column, decoded
  bool IsBytes(int column) const;                // whether `column` is bytea

 private:
  pg_result* result_;
};

class Connection {
 public:
  // Connects to `url` (libpq URI syntax; its own settings win over ours),
  // giving up after `connect_timeout` (libpq rounds it to >= 2 s).
  // Unavailable when the server cannot be reached or refuses us.
  static Result<std::unique_ptr<Connection>> Open(const std::string& url,
                                                  std::chrono::seconds connect_timeout);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs SQL text without parameters, possibly several statements.
  Status Exec(std::string_view sql, std::string_view purpose);
  // Runs one statement with `params` ($1, $2, ...); prepared on first use.
  // Values travel as text, except bytea values (SqlBytes), which travel in
  // binary so no escaping can go wrong. A text value with a NUL byte
  // (PostgreSQL text cannot hold one) fails with InvalidArgument unsent.
  Result<PgResult> Query(std::string_view sql, std::span<const SqlValue> params,
                         std::string_view purpose);
  Result<PgResult> Query(std::string_view sql, std::initializer_list<SqlValue> params,
                         std::string_view purpose) {
    return Query(sql, std::span<const SqlValue>(params.begin(), params.size()), purpose);
  }

  // Commits the open transaction; one with a failed statement is rolled
  // back instead (Internal). Nothing is left open either way.
  Status Commit(std::string_view purpose);
  // Rolls back an open (or failed) transaction; no-op when idle.
  void Rollback();
  // True when the connection is gone (server closed it, network error).
  bool broken() const;
  // True outside a transaction.
  bool idle() const;
  // Without waiting: false when the server sent something to this idle
  // connection, which means it is closing it (restart, pg_terminate_backend).
  // REQUIRES: idle, not LISTENing.
  bool CheckAlive();
  int backend_pid() const;
  std::string database() const;  // the database's name
  const std::string& url() const { return url_; }
  // For the listener: socket and notifications. Not for running SQL.
  pg_conn* raw() { return conn_; }

 private:
  Connection(pg_conn* conn, std::string url) : conn_(conn), url_(std::move(url)) {}
  Status Check(pg_result* result, std::string_view purpose);
  Result<std::string> Prepared(std::string_view sql, int param_count, std::string_view purpose);

  pg_conn* const conn_;
  const std::string url_;  // for scrubbing libpq's messages
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
};

}  // namespace campaignd::store::postgres

#endif  // CAMPAIGND_STORE_POSTGRES_CONNECTION_H_
