// SqliteDirectory: store.h's Directory on SQLite - the lookups of auth/,
// ops/ and queue/. Every query is keyed by client first (schema 0001), so
// one client's rows never answer another client's lookup.
// Threads: any; each call checks out a read connection (read_pool.h).
// Errors: Unavailable when no connection can be had; Corruption for stored
// values that do not parse.
#ifndef CAMPAIGND_STORE_SQLITE_SQLITE_DIRECTORY_H_
#define CAMPAIGND_STORE_SQLITE_SQLITE_DIRECTORY_H_

#include "store/sqlite/read_pool.h"
#include "store/store.h"

namespace campaignd::store::sqlite {

class SqliteDirectory final : public Directory {
 public:
  // REQUIRES: `readers` outlives this.
  explicit SqliteDirectory(ReadPool& readers) : readers_(readers) {}

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
  ReadPool& readers_;
};

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_SQLITE_DIRECTORY_H_
