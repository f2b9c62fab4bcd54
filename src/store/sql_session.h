// SqlSession / SqlRunner: the small engine-neutral SQL surface the
// catalog, provisioning and the recipient operations (sql/) are written
// against, so their queries exist once for both engines. SQL uses PostgreSQL's $1..$N placeholders (SQLite's adapter
// rewrites them to ?N); values travel as text, integers, bytes or NULL and
// come back as text (NULL as nullopt; a BLOB/bytea column as its raw bytes).
// Only SQL both engines accept may be used: plain types, ON CONFLICT,
// RETURNING, LIMIT, row values ("(a, b) > ($1, $2)").
// Users: the catalog, store/sql/ (Directory, Attachments, copy-db).
// Threads: a session belongs to the thread inside Read/Write.
// Errors: the engine's Status (sqlite_error.h, pg_error.h).
#ifndef CAMPAIGND_STORE_SQL_SESSION_H_
#define CAMPAIGND_STORE_SQL_SESSION_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace campaignd::store {

struct SqlBytes {
  std::string bytes;  // a BLOB (SQLite) / bytea (PostgreSQL) value
};
using SqlValue = std::variant<std::monostate, int64_t, std::string, SqlBytes>;

// Rows of a query, every cell as text; NULL is nullopt.
using SqlRow = std::vector<std::optional<std::string>>;

class SqlSession {
 public:
  virtual ~SqlSession() = default;
  // Runs one statement; reads `columns` cells of every row it returns.
  virtual Result<std::vector<SqlRow>> Query(std::string_view sql, std::span<const SqlValue> params,
                                            int columns, std::string_view purpose) = 0;
  // Runs one statement without rows; the number of rows it changed.
  virtual Result<int64_t> Execute(std::string_view sql, std::span<const SqlValue> params,
                                  std::string_view purpose) = 0;
  // Coordination inside a write, the one part that differs by engine:
  // holds a lock on `key` until the transaction ends, so two writes
  // naming the same key run one after the other, in every process sharing
  // the database (PostgreSQL: an advisory lock; SQLite: nothing, its one
  // writer runs one write at a time). Take several in sorted order.
  virtual Status LockKey(std::string_view key) = 0;
  // Tells the processes sharing the database, at the commit, that a mail
  // was enqueued (PostgreSQL: NOTIFY; SQLite: nothing, the only delivering
  // process is woken by ops' Notifier: local_coordination.h).
  virtual Status AnnounceMail() = 0;
};

class SqlRunner {
 public:
  virtual ~SqlRunner() = default;
  using Work = std::function<Status(SqlSession&)>;
  // Runs `work` on a read connection inside one read-only snapshot.
  virtual Status Read(const Work& work) = 0;
  // Runs one statement on a read connection without BEGIN/COMMIT: one
  // statement is its own snapshot on both engines, so a lookup written as
  // one statement costs one round trip (the hot paths: store/sql/directory.h).
  virtual Result<std::vector<SqlRow>> Query(std::string_view sql, std::span<const SqlValue> params,
                                            int columns, std::string_view purpose) = 0;
  // Runs `work` in one write transaction: committed when it returns OK,
  // rolled back otherwise.
  virtual Status Write(const Work& work) = 0;
  // Runs one write statement alone, committed (PostgreSQL: autocommit, one
  // round trip; SQLite: one unit of the writer); the rows it changed.
  virtual Result<int64_t> Execute(std::string_view sql, std::span<const SqlValue> params,
                                  std::string_view purpose) = 0;
};

// Runs `read` (SqlSession& -> Result<T>) on a read connection (one
// snapshot); its answer. `write`: the same inside one write transaction.
template <typename T, typename Work>
Result<T> RunResult(SqlRunner& runner, const Work& work, bool write = false) {
  std::optional<T> answer;
  auto run = [&](SqlSession& session) -> Status {
    Result<T> result = work(session);
    if (!result.ok()) return result.status();
    answer.emplace(std::move(*result));
    return Status::Ok();
  };
  Status status = write ? runner.Write(run) : runner.Read(run);
  if (!status.ok()) return status;
  return std::move(*answer);
}
template <typename T, typename Read>
Result<T> ReadResult(SqlRunner& runner, const Read& read) {
  return RunResult<T>(runner, read, false);
}
template <typename T, typename Write>
Result<T> WriteResult(SqlRunner& runner, const Write& write) {
  return RunResult<T>(runner, write, true);
}

// A SqlSession whose every statement runs alone through SqlRunner::Query
// (one statement, its own snapshot, one round trip): how a lookup of one
// statement that write transactions also use (sql/records.h) is run on its
// own. Reads only: Execute, LockKey and AnnounceMail are an Internal error.
class StatementSession final : public SqlSession {
 public:
  explicit StatementSession(SqlRunner& runner) : runner_(runner) {}
  Result<std::vector<SqlRow>> Query(std::string_view sql, std::span<const SqlValue> params,
                                    int columns, std::string_view purpose) override {
    return runner_.Query(sql, params, columns, purpose);
  }
  Result<int64_t> Execute(std::string_view, std::span<const SqlValue>,
                          std::string_view purpose) override {
    return Status::Internal(std::string(purpose) + ": a write outside a transaction");
  }
  Status LockKey(std::string_view key) override {
    return Status::Internal("lock " + std::string(key) + ": outside a transaction");
  }
  Status AnnounceMail() override {
    return Status::Internal("announce mail: outside a transaction");
  }

 private:
  SqlRunner& runner_;
};

// "$first, $first+1, ..." for `count` parameters.
std::string Placeholders(std::size_t first, std::size_t count);
// "($1, ..., $n), ($n+1, ..., $2n), ...": `rows` rows of `n` parameters
// from $first (a multi-row VALUES list).
std::string PlaceholderRows(std::size_t rows, std::size_t n, std::size_t first = 1);

// Reads cell `column` of `row` as an integer (0 for NULL); Corruption for
// text that is not one.
Result<int64_t> CellInt(const SqlRow& row, int column);
// Cell text ("" for NULL).
std::string CellText(const SqlRow& row, int column);

// Reads the cells of one row as values, keeping the first failure
// (Corruption), so a row reader reads every cell and checks once: Finish.
class CellReader {
 public:
  explicit CellReader(const SqlRow& row) : row_(row) {}
  std::string Text(int column) const { return CellText(row_, column); }
  int64_t Int(int column);  // 0 after a failure
  bool Flag(int column) { return Int(column) != 0; }
  TimePoint Time(int column) { return FromUnixMillis(Int(column)); }
  // The cell's value as `parse` (a Parse* of model.h, mail_status.h) reads
  // it; `what` names it in the failure.
  template <typename E>
  E Enum(int column, std::optional<E> (*parse)(std::string_view), std::string_view what) {
    std::optional<E> value = parse(Text(column));
    if (!value) Fail(Status::Corruption(std::string(what) + " '" + Text(column) + "' unknown"));
    return value.value_or(E{});
  }
  // The cell as `decode` (json_text.h's *FromJson) reads it; `what` names the row.
  template <typename T>
  T Decode(int column, Result<T> (*decode)(std::string_view, std::string_view),
           std::string_view what) {
    Result<T> value = decode(Text(column), what);
    if (!value.ok()) Fail(value.status());
    return value.ok() ? std::move(*value) : T{};
  }
  const Status& status() const { return status_; }  // OK, or the first failure
  // `value`, or the first failure.
  template <typename T>
  Result<T> Finish(T value) const {
    if (!status_.ok()) return status_;
    return value;
  }

 private:
  void Fail(Status status) {
    if (status_.ok()) status_ = std::move(status);
  }
  const SqlRow& row_;
  Status status_;
};

// The first of `rows` as `read` (const SqlRow& -> Result<T>) reads it;
// nullopt when there is none.
template <typename T, typename Read>
Result<std::optional<T>> FirstRow(const Result<std::vector<SqlRow>>& rows, const Read& read) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<T>();
  Result<T> value = read(rows->front());
  if (!value.ok()) return value.status();
  return std::optional<T>(std::move(*value));
}

// Every one of `rows` as `read` (const SqlRow& -> Result<T> or T) reads it.
template <typename T, typename Read>
Result<std::vector<T>> EachRow(const Result<std::vector<SqlRow>>& rows, const Read& read) {
  if (!rows.ok()) return rows.status();
  std::vector<T> out;
  out.reserve(rows->size());
  for (const SqlRow& row : *rows) {
    Result<T> value = read(row);
    if (!value.ok()) return value.status();
    out.push_back(std::move(*value));
  }
  return out;
}

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_SQL_SESSION_H_
