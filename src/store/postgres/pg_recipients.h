// PgRecipients: store/recipients.h on PostgreSQL. Write() runs the work in
// one transaction on a pooled connection; before it, a transaction-scoped
// advisory lock per key (client and recipient ID or pattern, in sorted
// order so two writers never deadlock) makes requests for the same
// recipient wait for each other, in this process and in every other one
// sharing the database. A mail enqueued inside notifies kMailChannel, which
// PostgreSQL delivers at the commit. Threads: any. Errors: as store.h.
#ifndef CAMPAIGND_STORE_POSTGRES_PG_RECIPIENTS_H_
#define CAMPAIGND_STORE_POSTGRES_PG_RECIPIENTS_H_

#include "store/postgres/pool.h"
#include "store/recipients.h"

namespace campaignd::store::postgres {

class PgRecipients final : public Recipients {
 public:
  // REQUIRES: `pool` outlives this.
  explicit PgRecipients(Pool& pool) : pool_(pool) {}

  Result<std::optional<OptInProcess>> FindOptIn(int64_t client_id, int64_t id) override;
  Result<std::optional<Recipient>> FindRecipient(int64_t client_id, int64_t list_id,
                                                 std::string_view id) override;
  Result<std::optional<Unsubscribe>> FindUnsubscribe(int64_t client_id,
                                                     std::string_view address) override;
  Status Write(int64_t client_id, const std::vector<std::string>& keys, const Work& work) override;

 private:
  Pool& pool_;
};

}  // namespace campaignd::store::postgres

#endif  // CAMPAIGND_STORE_POSTGRES_PG_RECIPIENTS_H_
