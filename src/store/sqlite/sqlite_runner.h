// SqliteRunner: sql_session.h on SQLite - reads on the read pool (Read
// inside one read transaction, Query in autocommit), writes as one unit of
// the group-commit writer (writer.h). Placeholders $N become ?N; statements
// are prepared once per connection (database.h's cache). Threads: any.
// Errors: sqlite_error.h's.
#ifndef CAMPAIGND_STORE_SQLITE_SQLITE_RUNNER_H_
#define CAMPAIGND_STORE_SQLITE_SQLITE_RUNNER_H_

#include "store/sql_session.h"
#include "store/sqlite/read_pool.h"
#include "store/sqlite/writer.h"

namespace campaignd::store::sqlite {

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

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_SQLITE_RUNNER_H_
