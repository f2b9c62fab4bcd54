// PgDirectory: store.h's Directory on PostgreSQL - the lookups of auth/,
// ops/ and queue/, each one statement (one round trip; a list with its
// fields or a mailing with its lists is one join, so it is consistent).
// Every query is keyed by client first, as in the SQLite engine.
// Threads: any; each call checks out a pooled connection (pool.h).
// Errors: Unavailable when the database cannot be reached; Corruption for
// stored values that do not parse.
#ifndef CAMPAIGND_STORE_POSTGRES_PG_DIRECTORY_H_
#define CAMPAIGND_STORE_POSTGRES_PG_DIRECTORY_H_

#include "store/postgres/pool.h"
#include "store/store.h"

namespace campaignd::store::postgres {

class PgDirectory final : public Directory {
 public:
  // REQUIRES: `pool` outlives this.
  explicit PgDirectory(Pool& pool) : pool_(pool) {}

  Result<std::optional<AuthCode>> FindCode(std::string_view code_hash) override;
  Result<std::optional<Client>> FindClient(int64_t client_id) override;
  Result<std::vector<DkimKey>> FindDkimKeys(int64_t client_id) override;
  Result<std::optional<RecipientList>> FindList(int64_t client_id, int64_t list_id) override;
  Result<std::optional<Mailing>> FindMailing(int64_t client_id, int64_t mailing_id) override;
  Result<std::optional<Recipient>> FindRecipient(int64_t client_id, int64_t list_id,
                                                 std::string_view recipient_id) override;
  Result<Suppression> CheckSuppression(int64_t client_id, int64_t list_id,
                                       std::string_view address) override;

 private:
  // Runs one lookup on a pooled connection.
  Result<PgResult> Run(std::string_view sql, const Params& params, std::string_view purpose);

  Pool& pool_;
};

}  // namespace campaignd::store::postgres

#endif  // CAMPAIGND_STORE_POSTGRES_PG_DIRECTORY_H_
