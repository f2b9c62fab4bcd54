// PgProvisioner: store.h's Provisioner on PostgreSQL. Apply() writes every
// client of the call in one transaction on a pooled connection, so a
// failure anywhere changes nothing; the per-record rules are in
// store/apply_spec.cc, the writes in pg_apply_client.cc.
// Threads: any. Errors: InvalidArgument for a spec that breaks a rule or a
// constraint (the message names client and record); Unavailable as store.h.
#ifndef CAMPAIGND_STORE_POSTGRES_PG_PROVISIONER_H_
#define CAMPAIGND_STORE_POSTGRES_PG_PROVISIONER_H_

#include "store/postgres/pool.h"
#include "store/store.h"

namespace campaignd::store::postgres {

class PgProvisioner final : public Provisioner {
 public:
  // REQUIRES: `pool` outlives this.
  explicit PgProvisioner(Pool& pool) : pool_(pool) {}

  Status Apply(const std::vector<ClientSpec>& clients) override;
  Result<std::vector<std::string>> CodeNames(int64_t client_id) override;

 private:
  Pool& pool_;
};

}  // namespace campaignd::store::postgres

#endif  // CAMPAIGND_STORE_POSTGRES_PG_PROVISIONER_H_
