// PgQueue: store.h's MailQueue on PostgreSQL, shared by any number of
// processes: sql/queue.h's SqlQueue plus the calls whose SQL is
// PostgreSQL's. Enqueue goes through the group-commit batcher
// (enqueue_batcher.h). Claim and ReleaseAllClaims are ONE statement on a
// pooled connection - an implicit transaction, one round trip:
// - Claim locks due mails with FOR UPDATE SKIP LOCKED and leases them in the
//   same statement, so two workers claiming at once never get the same mail
//   and neither waits for the other's rows.
// - RecordBatch writes the whole batch (updates, history rows, hard-bounce
//   counts) with one statement from one array per column (unnest), and its
//   events and counters (sql/queue.h AppendOutcomeEvents: a few multi-row
//   statements) in the same transaction.
// - ReleaseAllClaims is a no-op here: several worker processes share the
//   database and none may take back the others' claims; a dead worker's
//   claims return when their lease expires (docs/decisions/0009).
// Threads: any. Errors: see store.h; NotFound from RecordBatch for a lost lease.
#ifndef CAMPAIGND_STORE_POSTGRES_PG_QUEUE_H_
#define CAMPAIGND_STORE_POSTGRES_PG_QUEUE_H_

#include <span>
#include <vector>

#include "store/postgres/enqueue_batcher.h"
#include "store/postgres/pg_runner.h"
#include "store/postgres/pool.h"
#include "store/sql/queue.h"

namespace campaignd::store::postgres {

class PgQueue final : public SqlQueue {
 public:
  // REQUIRES: `runner`, `pool` (the runner's) and `batcher` outlive this.
  PgQueue(PgRunner& runner, Pool& pool, EnqueueBatcher& batcher)
      : SqlQueue(runner), pool_(pool), batcher_(batcher) {}

  bool EnqueueAsync(const NewMail& mail, EnqueueDone done) override;
  Result<std::vector<Mail>> Claim(const ClaimRequest& req) override;
  Status ReleaseAllClaims() override;

 private:
  void Record(std::span<const Outcome> outcomes, std::span<const std::size_t> valid,
              std::vector<Status>& results) override;

  Pool& pool_;
  EnqueueBatcher& batcher_;
};

}  // namespace campaignd::store::postgres

#endif  // CAMPAIGND_STORE_POSTGRES_PG_QUEUE_H_
