// SqlRecipients: store/recipients.h on both engines, over sql_session.h.
// Write() runs the work in one write transaction (SQLite: one unit of the
// group-commit writer; PostgreSQL: one transaction on a pooled connection)
// after locking each key, client-scoped and in sorted order so two writers
// never deadlock (SqlSession::LockKey: PostgreSQL's advisory lock makes
// requests for the same recipient wait for each other in every process
// sharing the database; SQLite's single writer serialises every Write). A
// mail enqueued inside is announced at the commit (SqlSession::AnnounceMail).
// Reads outside Write run on a read connection.
// Threads: any. Errors: as store.h.
#ifndef CAMPAIGND_STORE_SQL_RECIPIENTS_H_
#define CAMPAIGND_STORE_SQL_RECIPIENTS_H_

#include "store/recipients.h"
#include "store/sql_session.h"

namespace campaignd::store {

class SqlRecipients final : public Recipients {
 public:
  // REQUIRES: `runner` outlives this.
  explicit SqlRecipients(SqlRunner& runner) : runner_(runner) {}

  Result<std::optional<OptInProcess>> FindOptIn(int64_t client_id, int64_t id) override;
  Result<std::optional<Recipient>> FindRecipient(int64_t client_id, int64_t list_id,
                                                 std::string_view id) override;
  Result<std::optional<Unsubscribe>> FindUnsubscribe(int64_t client_id,
                                                     std::string_view address) override;
  Status Write(int64_t client_id, const std::vector<std::string>& keys, const Work& work) override;

 private:
  SqlRunner& runner_;
};

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_SQL_RECIPIENTS_H_
