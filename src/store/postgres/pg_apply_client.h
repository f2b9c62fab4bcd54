// PgSpecWriter: the writes of Provisioner::Apply on PostgreSQL, one
// statement per record (list fields and mailing assignments replaced with
// one DELETE and one INSERT ... unnest); the rules are engine-neutral in
// store/apply_spec.h. Used by PgProvisioner::Apply inside its transaction.
// Threads: the connection's. Errors: InvalidArgument for a constraint
// violation, else the connection's Status (pg_error.h).
#ifndef CAMPAIGND_STORE_POSTGRES_PG_APPLY_CLIENT_H_
#define CAMPAIGND_STORE_POSTGRES_PG_APPLY_CLIENT_H_

#include "store/apply_spec.h"
#include "store/postgres/connection.h"

namespace campaignd::store::postgres {

class PgSpecWriter final : public SpecWriter {
 public:
  // REQUIRES: `conn` inside a transaction, outliving this.
  explicit PgSpecWriter(Connection& conn) : conn_(conn) {}

  Result<bool> ClientExists(int64_t client_id) override;
  Status WriteClient(const Client& client, bool exists) override;
  Status UpsertDkimKey(int64_t client_id, const DkimKey& key) override;
  Status UpsertList(int64_t client_id, const RecipientList& list) override;
  Status UpsertRecipient(int64_t client_id, const Recipient& recipient) override;
  Status UpsertMailing(int64_t client_id, const Mailing& mailing) override;
  Result<bool> WriteCode(int64_t client_id, const AuthCode& code) override;
  Status UpsertBlockEntry(int64_t client_id, const BlockEntry& entry) override;
  Status SetBounces(int64_t client_id, std::string_view address, int count) override;
  Status UpsertOptIn(int64_t client_id, const OptInProcess& process) override;

 private:
  // Runs one write; its rows changed.
  Result<int64_t> Write(std::string_view sql, const Params& params, std::string_view purpose);

  Connection& conn_;
};

}  // namespace campaignd::store::postgres

#endif  // CAMPAIGND_STORE_POSTGRES_PG_APPLY_CLIENT_H_
