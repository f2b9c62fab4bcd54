// SqliteQueue: store.h's MailQueue on SQLite. Writes (Enqueue, Claim,
// RecordBatch - one unit for the whole batch -, Release*) are units of the
// group-commit writer (writer.h), so an Enqueue returns only once its mail
// and `enqueued` event are fsynced; reads (FindMail, History) use the read
// pool.
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

#include "store/sqlite/read_pool.h"
#include "store/sqlite/writer.h"
#include "store/store.h"

namespace campaignd::store::sqlite {

// The query a claim runs for never-attempted (`retries` false) or deferred
// mails: ?1 = now (unix ms), ?2 = limit. Public so a test can EXPLAIN it.
const std::string& DueMailsSql(bool retries);

class SqliteQueue final : public MailQueue {
 public:
  // REQUIRES: `writer` and `readers` outlive this.
  SqliteQueue(Writer& writer, ReadPool& readers) : writer_(writer), readers_(readers) {}

  Result<int64_t> Enqueue(const NewMail& mail) override;
  bool EnqueueAsync(const NewMail& mail, EnqueueDone done) override;
  Result<std::vector<Mail>> Claim(const ClaimRequest& req) override;
  std::vector<Status> RecordBatch(std::span<const Outcome> outcomes) override;
  Status ReleaseClaims(std::string_view worker) override;
  Status ReleaseClaim(std::string_view worker, int64_t mail_id) override;
  Status ReleaseAllClaims() override;
  Result<std::optional<Mail>> FindMail(int64_t client_id, int64_t mail_id) override;
  Result<std::vector<MailEvent>> History(int64_t client_id, int64_t mail_id) override;

 private:
  Writer& writer_;
  ReadPool& readers_;
};

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_SQLITE_QUEUE_H_
