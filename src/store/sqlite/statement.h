// Statement: one prepared SQLite statement in use - bind, step, read
// columns. Obtained from Database::Prepare (database.h); going out of scope
// resets it (ending its read snapshot) and returns it to the connection's
// cache. Binding errors are kept and reported by the next Step().
// Threads: the owning connection's thread only.
// Errors: every failure is a Status naming the statement's purpose.
#ifndef CAMPAIGND_STORE_SQLITE_STATEMENT_H_
#define CAMPAIGND_STORE_SQLITE_STATEMENT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/sql_session.h"

struct sqlite3_stmt;

namespace campaignd::store::sqlite {

class Statement {
 public:
  // `in_use` is the cache slot's flag, cleared on destruction; null for an
  // uncached statement, which is finalized instead.
  Statement(sqlite3_stmt* stmt, bool* in_use, std::string purpose);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based, as in SQL "?1". SqlBytes binds a BLOB (an
  // empty one too), std::monostate NULL.
  Statement& Bind(int index, const SqlValue& value);

  // true: a row is available; false: the statement is done.
  Result<bool> Step();
  // Steps to completion, ignoring rows (INSERT/UPDATE/DELETE).
  Status Run();
  // Steps through every row, calling `on_row` (which reads the columns) for
  // each; stops at the first failure of a step or of `on_row`.
  Status ForEachRow(const std::function<Status()>& on_row);

  // Columns are 0-based. REQUIRES: the last Step() returned true.
  int64_t ColumnInt(int column) const;
  std::string ColumnText(int column) const;
  bool ColumnIsNull(int column) const;
  bool ColumnIsInt(int column) const;  // stored as an INTEGER

 private:
  sqlite3_stmt* stmt_;
  bool* in_use_;
  std::string purpose_;
  int bind_rc_ = 0;  // first failed bind, SQLITE_OK (0) if none
};

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_STATEMENT_H_
