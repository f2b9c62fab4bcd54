// SqliteQueue: store.h's MailQueue on SQLite: sql/queue.h's SqlQueue plus
// the writes, each one unit of the group-commit writer (writer.h) through
// the engine's runner: Enqueue (records::InsertMail; returns once its mail
// and `enqueued` event are fsynced; the `enqueued` counters are summed over
// the writer's batch and written once at its end, writer.h SetBatchEnd),
// Claim (sql/queue.h's DueMailsQuery, then one lease UPDATE per mail),
// RecordBatch (one unit for the whole batch, with its events) and
// ReleaseAllClaims.
// Threads: any. Errors: see store.h; NotFound from RecordBatch for a lost lease.
#ifndef CAMPAIGND_STORE_SQLITE_SQLITE_QUEUE_H_
#define CAMPAIGND_STORE_SQLITE_SQLITE_QUEUE_H_

#include <span>
#include <string>
#include <vector>

#include "store/sql/events.h"
#include "store/sql/queue.h"
#include "store/sqlite/sqlite_runner.h"
#include "store/sqlite/writer.h"

namespace campaignd::store::sqlite {

// The query a claim runs for never-attempted (`retries` false) or deferred
// mails: $1 = now (unix ms), $2 = limit, $3 = the excluded client IDs as a
// JSON array. Public so a test can EXPLAIN it.
const std::string& DueMailsSql(bool retries);

class SqliteQueue final : public SqlQueue {
 public:
  // REQUIRES: `runner` and `writer` (the runner's) outlive this.
  SqliteQueue(SqliteRunner& runner, Writer& writer);
  ~SqliteQueue() override;
  SqliteQueue(const SqliteQueue&) = delete;
  SqliteQueue& operator=(const SqliteQueue&) = delete;

  bool EnqueueAsync(const NewMail& mail, EnqueueDone done) override;
  Result<std::vector<Mail>> Claim(const ClaimRequest& req) override;
  Status ReleaseAllClaims() override;

 private:
  void Record(std::span<const Outcome> outcomes, std::span<const std::size_t> valid,
              std::vector<Status>& results) override;

  Writer& writer_;
  // The `enqueued` counts of the writer's current batch (writer thread only).
  std::vector<events::CountsAt> enqueued_;
};

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_SQLITE_QUEUE_H_
