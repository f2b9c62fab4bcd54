// SqliteQueue: store.h's MailQueue on SQLite: sql/queue.h's SqlQueue plus
// the writes, each one unit of the group-commit writer (writer.h) through
// the engine's runner: Enqueue (records::InsertMail; returns once its mail
// and `enqueued` event are fsynced), Claim (sql/queue.h's DueMailsQuery,
// then one lease UPDATE per mail), RecordBatch (one unit for the whole
// batch) and ReleaseAllClaims.
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
  explicit SqliteQueue(SqliteRunner& runner) : SqlQueue(runner) {}

  bool EnqueueAsync(const NewMail& mail, EnqueueDone done) override;
  Result<std::vector<Mail>> Claim(const ClaimRequest& req) override;
  Status ReleaseAllClaims() override;

 private:
  void Record(std::span<const Outcome> outcomes, std::span<const std::size_t> valid,
              std::vector<Status>& results) override;
};

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_SQLITE_QUEUE_H_
