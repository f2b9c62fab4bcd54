// SqlQueue: the part of store.h's MailQueue that is the same SQL on both
// engines, over the engine's SqlRunner: FindMail, History, ReleaseClaim(s)
// (each one statement, one round trip), and the one reader of a mails row
// (MailColumns, MailFromRow). The engines (sqlite/sqlite_queue.h,
// postgres/pg_queue.h) add only what differs: Enqueue (SQLite: a unit of
// the group-commit writer; PostgreSQL: the enqueue batcher's multi-row
// INSERT), Claim and RecordBatch (PostgreSQL: one statement per call with
// SKIP LOCKED and unnest, a few round trips for a whole batch with its
// events; SQLite: a few statements inside one writer unit, no round trips
// at all) and
// ReleaseAllClaims (only SQLite's single deliverer may take every claim).
// Threads: any. Errors: see store.h.
#ifndef CAMPAIGND_STORE_SQL_QUEUE_H_
#define CAMPAIGND_STORE_SQL_QUEUE_H_

#include <span>
#include <string>
#include <string_view>

#include "store/sql_session.h"
#include "store/store.h"

namespace campaignd::store {

// Columns 0..11 of a mails row, in MailFromRow's order, each after `prefix`.
std::string MailColumns(std::string_view prefix = "");

// REQUIRES: `row` starts with MailColumns(). Corruption for a stored status
// or fields text that does not parse.
Result<Mail> MailFromRow(const SqlRow& row);

// The mail `mail_id` of `client_id` in the caller's session (a write
// transaction that reads the mail it writes about; SqlQueue::FindMail runs
// it as one statement); nullopt when there is none.
Result<std::optional<Mail>> FindMail(SqlSession& session, int64_t client_id, int64_t mail_id);

// RecordBatch's NotFound for an outcome whose worker no longer holds the claim.
Status LostClaim(const Outcome& outcome);

// A recorded outcome with the mail it changed (the columns of
// RecordedColumns(), read back by the engine's write).
struct Recorded {
  const Outcome* outcome = nullptr;
  int64_t client_id = 0;
  int64_t list_id = 0;
  int64_t mailing_id = 0;
  std::string recipient_id;
};
// The mails columns a Recorded needs (client, list, mailing, recipient), after `prefix`.
std::string RecordedColumns(std::string_view prefix = "");
// Recorded from `row`'s columns from `first` on (RecordedColumns()' order).
Result<Recorded> RecordedFromRow(const SqlRow& row, int first, const Outcome& outcome);

// The events and counters of recorded outcomes (events.md §1), in the
// caller's transaction, one events::AppendAll for the batch: `sent`
// (relay, reply), a hard bounce at SMTP time (`bounce` hard: status,
// diagnostic, reportingMta), `filteredbyblocklist` (pattern); every other
// final status but `sent` counts `failed` (summed per hour and mailing).
Status AppendOutcomeEvents(SqlSession& session, std::span<const Recorded> recorded);

// A claim's due mails of one kind, oldest first, at most `limit`: never
// attempted (`retries` false) or deferred ones, due at $1 and unleased, of
// a client that `not_excluded` (the engine's term over the excluded IDs)
// lets through. The WHERE terms repeat the partial indexes' (schema 0001)
// so both engines use them; ordered by the index key, the LIMIT stops the
// scan early.
std::string DueMailsQuery(std::string_view columns, bool retries, std::string_view not_excluded,
                          std::string_view limit);

class SqlQueue : public MailQueue {
 public:
  // REQUIRES: `runner` outlives this.
  explicit SqlQueue(SqlRunner& runner) : runner_(runner) {}

  // The engine's EnqueueAsync, waited for: one way into its group commit.
  Result<int64_t> Enqueue(const NewMail& mail) override;

  // InvalidArgument for an outcome that would go back to enqueued; the
  // others go to the engine's Record.
  std::vector<Status> RecordBatch(std::span<const Outcome> outcomes) final;
  Status ReleaseClaims(std::string_view worker) override;
  Status ReleaseClaim(std::string_view worker, int64_t mail_id) override;
  Result<std::optional<Mail>> FindMail(int64_t client_id, int64_t mail_id) override;
  Result<std::vector<MailEvent>> History(int64_t client_id, int64_t mail_id) override;

 protected:
  // Writes outcomes[i] for each i of `valid` in one transaction; sets
  // results[i] of each that failed (LostClaim when its lease went elsewhere).
  virtual void Record(std::span<const Outcome> outcomes, std::span<const std::size_t> valid,
                      std::vector<Status>& results) = 0;

  SqlRunner& runner_;
};

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_SQL_QUEUE_H_
