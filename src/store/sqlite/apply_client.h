// SqliteSpecWriter: the writes of Provisioner::Apply on SQLite, one
// statement (or two) per record; the rules (order, normalisation, refusals)
// are engine-neutral in store/apply_spec.h. Used by SqliteProvisioner::Apply
// inside one writer unit, so a failure anywhere undoes every client of the
// Apply. Threads: the writer thread. Errors: InvalidArgument for a
// constraint violation, else SQLite's Status (sqlite_error.h).
#ifndef CAMPAIGND_STORE_SQLITE_APPLY_CLIENT_H_
#define CAMPAIGND_STORE_SQLITE_APPLY_CLIENT_H_

#include "store/apply_spec.h"
#include "store/sqlite/database.h"

namespace campaignd::store::sqlite {

class SqliteSpecWriter final : public SpecWriter {
 public:
  // REQUIRES: `db` inside a transaction, outliving this.
  explicit SqliteSpecWriter(Database& db) : db_(db) {}

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
  Status ReplaceListFields(int64_t client_id, const RecipientList& list);
  Status ReplaceMailingLists(int64_t client_id, const Mailing& mailing);

  Database& db_;
};

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_APPLY_CLIENT_H_
