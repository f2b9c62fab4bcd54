// SqlProvisioner: store.h's Provisioner on both engines, over
// sql_session.h. Apply() writes every client of the call in one write
// transaction (SQLite: one unit of the group-commit writer; PostgreSQL: one
// transaction on a pooled connection), so a failure anywhere changes
// nothing. provisioner.cc holds the rules (which records a ClientSpec
// writes in which order, what is normalised, what is refused, how a
// failure names its record); the writes are records.h's.
// Threads: any. Errors: InvalidArgument for a spec that breaks a rule or a
// constraint, "client N: <record>: why"; Unavailable as store.h.
#ifndef CAMPAIGND_STORE_SQL_PROVISIONER_H_
#define CAMPAIGND_STORE_SQL_PROVISIONER_H_

#include "store/sql_session.h"
#include "store/store.h"

namespace campaignd::store {

class SqlProvisioner final : public Provisioner {
 public:
  // REQUIRES: `runner` outlives this.
  explicit SqlProvisioner(SqlRunner& runner) : runner_(runner) {}

  Status Apply(const std::vector<ClientSpec>& clients) override;
  Result<std::vector<std::string>> CodeNames(int64_t client_id) override;

 private:
  SqlRunner& runner_;
};

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_SQL_PROVISIONER_H_
