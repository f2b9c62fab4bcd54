// SqliteRunner: sql_session.h on SQLite - reads on the read pool (store/pool.h
// of read-only connections; Read inside one read transaction, Query in
// autocommit), writes as one unit of the group-commit writer (writer.h).
// Placeholders $N become ?N; statements are prepared once per connection
// (database.h's cache). Threads: any. Errors: sqlite_error.h's.
#ifndef CAMPAIGND_STORE_SQLITE_SQLITE_RUNNER_H_
#define CAMPAIGND_STORE_SQLITE_SQLITE_RUNNER_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "store/pool.h"
#include "store/sql_session.h"
#include "store/sqlite/database.h"
#include "store/sqlite/writer.h"

namespace campaignd::store::sqlite {

// Read connections per database: readers are short point lookups on 2-core
// hosts; more connections only cost memory (each has its own page cache).
inline constexpr std::size_t kReadConnections = 4;

// The read pool: a few read-only connections (never the writer's: in WAL
// mode readers run beside the writer and see every committed transaction).
class ReadPool : public ConnectionPool<Database> {
 public:
  // Connections are opened lazily, at most `max_connections`; a reader
  // waits while all are checked out.
  ReadPool(std::string path, DatabaseOptions options, std::size_t max_connections)
      : ConnectionPool(
            {.open = [path = std::move(path), options] { return Database::Open(path, options); },
             .what = "SQLite read connections"},
            max_connections, std::chrono::milliseconds(0)) {}
};

class SqliteRunner final : public SqlRunner {
 public:
  // REQUIRES: `writer` and `readers` outlive this.
  SqliteRunner(Writer& writer, ReadPool& readers) : writer_(writer), readers_(readers) {}
  Status Read(const Work& work) override;
  Result<std::vector<SqlRow>> Query(std::string_view sql, std::span<const SqlValue> params,
                                    int columns, std::string_view purpose) override;
  Status Write(const Work& work) override;
  Result<int64_t> Execute(std::string_view sql, std::span<const SqlValue> params,
                          std::string_view purpose) override;
  // As Write, without waiting: `done` gets the unit's Status on the writer
  // thread once its batch is committed (writer.h SubmitAsync).
  void WriteAsync(Work work, Writer::Done done);

 private:
  Writer& writer_;
  ReadPool& readers_;
};

// A session on `db` itself (the migrator's, sqlite_engine.h).
std::unique_ptr<SqlSession> SessionOn(Database& db);

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_SQLITE_RUNNER_H_
