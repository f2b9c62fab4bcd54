// SqliteQueue: store.h's MailQueue on SQLite: sql/queue.h's SqlQueue plus
// the writes, each one unit of the group-commit writer (writer.h) through
// the engine's runner: Enqueue (records::InsertMail; returns once its mail
// and `enqueued` event are fsynced), Claim, RecordBatch (one unit for the
// whole batch) and ReleaseAllClaims.
// Claims: due mails (status enqueued or sending, next_attempt_at <= now,
// no live lease, client not excluded) are taken oldest first through two partial indexes, one
// for never-attempted mails and one for deferred ones, so the scheduler
// can bound each kind per claim (queue/scheduler.h decides the mix).
// Threads: any. Errors: see store.h; NotFound from RecordBatch for a lost lease.
#ifndef CAMPAIGND_STORE_SQLITE_SQLITE_QUEUE_H_
#define CAMPAIGND_STORE_SQLITE_SQLITE_QUEUE_H_

#include <span>
#include <string>
#include <vector>

#include "store/sql/queue.h"
#include "store/sqlite/sqlite_runner.h"

namespace campaignd::store::sqlite {

// The query a claim runs for never-attempted (`retries` false) or deferred
// mails: $1 = now (unix ms), $2 = limit, $3 = the excluded client IDs as a
// JSON array. Public so a test can EXPLAIN it.
const std::string& DueMailsSql(bool retries);

class SqliteQueue final : public SqlQueue {
 public:
  // REQUIRES: `runner` outlives this.
  explicit SqliteQueue(SqliteRunner& runner) : SqlQueue(runner), writer_(runner) {}

  Result<int64_t> Enqueue(const NewMail& mail) override;
  bool EnqueueAsync(const NewMail& mail, EnqueueDone done) override;
  Result<std::vector<Mail>> Claim(const ClaimRequest& req) override;
  std::vector<Status> RecordBatch(std::span<const Outcome> outcomes) override;
  Status ReleaseAllClaims() override;

 private:
  SqliteRunner& writer_;  // runner_, for WriteAsync
};

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_SQLITE_QUEUE_H_
