// PgCopyEndpoint: copy-db's reading and writing side (store/copy.h) on a
// PostgreSQL database: reads through cursors inside one REPEATABLE READ
// READ ONLY transaction (one snapshot, bounded memory), writes with
// multi-row INSERTs inside one transaction, and finally moves the identity
// sequences of mails and mail_events past every copied ID.
// Callers: store/engine.cc OpenCopyEndpoint. Threads: the caller's.
// Errors: the connection's Status (pg_error.h).
#ifndef CAMPAIGND_STORE_POSTGRES_PG_COPY_H_
#define CAMPAIGND_STORE_POSTGRES_PG_COPY_H_

#include <memory>

#include "store/copy.h"
#include "store/postgres/pg_engine.h"

namespace campaignd::store::postgres {

class PgCopyEndpoint final : public CopyEndpoint {
 public:
  explicit PgCopyEndpoint(std::unique_ptr<PgEngine> engine) : engine_(std::move(engine)) {}
  ~PgCopyEndpoint() override { engine_->Close(); }

  Status ReadSnapshot(const std::function<Status(TableReader&)>& read) override;
  Status WriteTransaction(const std::function<Status(TableWriter&)>& write) override;

 private:
  std::unique_ptr<PgEngine> engine_;
};

}  // namespace campaignd::store::postgres

#endif  // CAMPAIGND_STORE_POSTGRES_PG_COPY_H_
