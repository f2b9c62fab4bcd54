// SqlDirectory: store.h's Directory on either engine, over sql_session.h -
// the lookups of auth/, ops/ and queue/, each ONE statement (SqlRunner::
// Query: one round trip on PostgreSQL, no BEGIN/COMMIT on SQLite; a list
// with its fields or a mailing with its lists is one join, so it is
// consistent). Every query is keyed by client first (schema 0001), so one
// client's rows never answer another client's lookup.
// Threads: any; each call takes a read connection for one statement.
// Errors: Unavailable when the database cannot take work; Corruption for
// stored values that do not parse.
#ifndef CAMPAIGND_STORE_SQL_DIRECTORY_H_
#define CAMPAIGND_STORE_SQL_DIRECTORY_H_

#include "store/sql_session.h"
#include "store/store.h"

namespace campaignd::store {

class SqlDirectory final : public Directory {
 public:
  // REQUIRES: `runner` outlives this.
  explicit SqlDirectory(SqlRunner& runner) : runner_(runner) {}

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
  SqlRunner& runner_;
};

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_SQL_DIRECTORY_H_
