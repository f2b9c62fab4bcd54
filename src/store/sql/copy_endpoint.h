// SqlCopyEndpoint: copy-db's reading and writing side (store/copy.h) on
// either engine, over sql_session.h. Reads inside one SqlRunner::Read
// snapshot, a table at a time in pages of its primary key (row values
// "(a, b) > ($1, $2)": bounded memory, an index range per page); writes
// multi-row INSERTs inside one SqlRunner::Write transaction. Only the
// mail-ID sequence has no SQL both engines accept: the engine hands it in
// (CopySequences).
// Callers: store/engine.cc OpenCopyEndpoint. Threads: the caller's.
// Errors: the engine's Status.
#ifndef CAMPAIGND_STORE_SQL_COPY_ENDPOINT_H_
#define CAMPAIGND_STORE_SQL_COPY_ENDPOINT_H_

#include <memory>
#include <string_view>
#include <vector>

#include "store/copy.h"
#include "store/sql_session.h"
#include "store/store.h"

namespace campaignd::store {

// The engine's SQL for the mail-ID sequence.
struct CopySequences {
  // One row, one integer: the highest mail ID the database ever handed out
  // (a deleted mail's included); 0 when none.
  std::string_view high_water;
  // Run in order with $1 = the high water: the next mail ID is above it
  // and every generated ID above the copied rows (TableWriter::FinishSequences).
  std::vector<std::string_view> finish;
};

class SqlCopyEndpoint final : public CopyEndpoint {
 public:
  // REQUIRES: `runner` belongs to `engine`.
  SqlCopyEndpoint(std::unique_ptr<Engine> engine, SqlRunner& runner, CopySequences sequences)
      : engine_(std::move(engine)), runner_(runner), sequences_(std::move(sequences)) {}
  ~SqlCopyEndpoint() override { engine_->Close(); }

  Status ReadSnapshot(const std::function<Status(TableReader&)>& read) override;
  Status WriteTransaction(const std::function<Status(TableWriter&)>& write) override;

 private:
  const std::unique_ptr<Engine> engine_;
  SqlRunner& runner_;
  const CopySequences sequences_;
};

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_SQL_COPY_ENDPOINT_H_
