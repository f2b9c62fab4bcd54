// SqliteCopyEndpoint: copy-db's reading and writing side (store/copy.h) on
// an SQLite database: reads in one read transaction of the read pool,
// writes as one unit of the group-commit writer (one transaction). The
// mail-ID high water is sqlite_sequence's entry for mails (AUTOINCREMENT).
// Callers: store/engine.cc OpenCopyEndpoint. Threads: the caller's.
// Errors: SQLite's Status (sqlite_error.h).
#ifndef CAMPAIGND_STORE_SQLITE_SQLITE_COPY_H_
#define CAMPAIGND_STORE_SQLITE_SQLITE_COPY_H_

#include <memory>

#include "store/copy.h"
#include "store/sqlite/sqlite_engine.h"

namespace campaignd::store::sqlite {

class SqliteCopyEndpoint final : public CopyEndpoint {
 public:
  explicit SqliteCopyEndpoint(std::unique_ptr<SqliteEngine> engine) : engine_(std::move(engine)) {}
  ~SqliteCopyEndpoint() override { engine_->Close(); }

  Status ReadSnapshot(const std::function<Status(TableReader&)>& read) override;
  Status WriteTransaction(const std::function<Status(TableWriter&)>& write) override;

 private:
  std::unique_ptr<SqliteEngine> engine_;
};

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_SQLITE_COPY_H_
