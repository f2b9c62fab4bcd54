// PgRunner: sql_session.h on PostgreSQL - one pooled connection per call;
// Read inside one REPEATABLE READ, READ ONLY transaction (one snapshot),
// Query outside any (one round trip), Write inside one transaction
// (committed when the work returns OK). bytea columns come back decoded.
// Threads: any. Errors: pg_error.h's.
#ifndef CAMPAIGND_STORE_POSTGRES_PG_RUNNER_H_
#define CAMPAIGND_STORE_POSTGRES_PG_RUNNER_H_

#include <memory>

#include "store/postgres/pool.h"
#include "store/sql_session.h"

namespace campaignd::store::postgres {

class PgRunner final : public SqlRunner {
 public:
  // REQUIRES: `pool` outlives this.
  explicit PgRunner(Pool& pool) : pool_(pool) {}
  Status Read(const Work& work) override;
  Result<std::vector<SqlRow>> Query(std::string_view sql, std::span<const SqlValue> params,
                                    int columns, std::string_view purpose) override;
  Status Write(const Work& work) override;
  Result<int64_t> Execute(std::string_view sql, std::span<const SqlValue> params,
                          std::string_view purpose) override;

 private:
  // `work` on one connection inside one transaction opened by `begin`.
  Status InTransaction(const Work& work, std::string_view purpose, std::string_view begin);

  Pool& pool_;
};

// A session on `conn` itself (the migrator's, pg_engine.cc).
std::unique_ptr<SqlSession> SessionOn(Connection& conn);

}  // namespace campaignd::store::postgres

#endif  // CAMPAIGND_STORE_POSTGRES_PG_RUNNER_H_
