// SqliteRecipients: store/recipients.h on SQLite. Write() is one unit of
// the group-commit writer (writer.h): the work runs on the writer thread
// inside its own savepoint, and SQLite's single writer serialises every
// Write, so the keys need no lock of their own. Reads outside Write use
// the read pool. Threads: any. Errors: as store.h.
#ifndef CAMPAIGND_STORE_SQLITE_SQLITE_RECIPIENTS_H_
#define CAMPAIGND_STORE_SQLITE_SQLITE_RECIPIENTS_H_

#include "store/recipients.h"
#include "store/sqlite/read_pool.h"
#include "store/sqlite/writer.h"

namespace campaignd::store::sqlite {

class SqliteRecipients final : public Recipients {
 public:
  // REQUIRES: `writer` and `readers` outlive this.
  SqliteRecipients(Writer& writer, ReadPool& readers) : writer_(writer), readers_(readers) {}

  Result<std::optional<OptInProcess>> FindOptIn(int64_t client_id, int64_t id) override;
  Result<std::optional<Recipient>> FindRecipient(int64_t client_id, int64_t list_id,
                                                 std::string_view id) override;
  Result<std::optional<Unsubscribe>> FindUnsubscribe(int64_t client_id,
                                                     std::string_view address) override;
  Status Write(int64_t client_id, const std::vector<std::string>& keys, const Work& work) override;

 private:
  Writer& writer_;
  ReadPool& readers_;
};

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_SQLITE_RECIPIENTS_H_
