// SqlQueue: the part of store.h's MailQueue that is the same SQL on both
// engines, over the engine's SqlRunner: FindMail, History, ReleaseClaim(s)
// (each one statement, one round trip), and the one reader of a mails row
// (MailColumns, MailFromRow). The engines (sqlite/sqlite_queue.h,
// postgres/pg_queue.h) add only what differs: Enqueue (SQLite: a unit of
// the group-commit writer; PostgreSQL: the enqueue batcher's multi-row
// INSERT), Claim and RecordBatch (PostgreSQL: one statement per call with
// SKIP LOCKED and unnest, one round trip for a whole batch; SQLite: a few
// statements inside one writer unit, no round trips at all) and
// ReleaseAllClaims (only SQLite's single deliverer may take every claim).
// Threads: any. Errors: see store.h.
#ifndef CAMPAIGND_STORE_SQL_QUEUE_H_
#define CAMPAIGND_STORE_SQL_QUEUE_H_

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

class SqlQueue : public MailQueue {
 public:
  // REQUIRES: `runner` outlives this.
  explicit SqlQueue(SqlRunner& runner) : runner_(runner) {}

  Status ReleaseClaims(std::string_view worker) override;
  Status ReleaseClaim(std::string_view worker, int64_t mail_id) override;
  Result<std::optional<Mail>> FindMail(int64_t client_id, int64_t mail_id) override;
  Result<std::vector<MailEvent>> History(int64_t client_id, int64_t mail_id) override;

 protected:
  SqlRunner& runner_;
};

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_SQL_QUEUE_H_
