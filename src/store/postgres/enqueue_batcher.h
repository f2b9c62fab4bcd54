// EnqueueBatcher: group commit for MailQueue::Enqueue on PostgreSQL.
//
// One commit per request would cap the API at one server round trip plus
// one WAL flush per mail. Instead callers hand their mail to one batcher
// thread and wait; the thread takes every pending mail (at most
// kMaxGroupCommit) and stores them all with ONE statement - an INSERT of
// the mails and their `enqueued` events from unnest()ed arrays, plus
// pg_notify() for the listeners (listener.h) and the batch's `enqueued`
// counters (one UPSERT) - which PostgreSQL runs as one transaction: one
// round trip, one commit, however many mails.
// While it runs, new mails queue up for the next batch, so batches grow
// with the load and a lone caller waits for one round trip only.
// - A commit failure (server gone, disk full) fails every mail of the
//   batch: nobody hears "enqueued" for a mail that is not durable.
// - A mail the database refuses (unknown client: a foreign key) fails the
//   whole statement; the batch is then retried mail by mail, so only the
//   refused mail fails.
// Threads: Enqueue() and EnqueueAsync() from any thread; the statement, and
// an async mail's completion, run on the batcher thread.
#ifndef CAMPAIGND_STORE_POSTGRES_ENQUEUE_BATCHER_H_
#define CAMPAIGND_STORE_POSTGRES_ENQUEUE_BATCHER_H_

#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>

#include "core/status.h"
#include "store/group_commit.h"
#include "store/model.h"
#include "store/postgres/pool.h"

namespace campaignd::store::postgres {

// The channel Enqueue notifies and the listeners LISTEN on.
inline constexpr std::string_view kMailChannel = "campaignd_mail";

struct BatcherStats {
  uint64_t units = 0;           // mails handled (stored or failed)
  uint64_t statements = 0;      // batch statements committed
  uint64_t failed_batches = 0;  // batches that failed as a whole
};

class EnqueueBatcher {
 public:
  // Starts the thread. REQUIRES: `pool` outlives this.
  explicit EnqueueBatcher(Pool& pool);
  ~EnqueueBatcher();  // Close()
  EnqueueBatcher(const EnqueueBatcher&) = delete;
  EnqueueBatcher& operator=(const EnqueueBatcher&) = delete;

  // Stores `mail` (fields already JSON text) with the next batch: `done`
  // gets its id on the batcher thread once the batch is committed (or the
  // failure); it must not block. After Close() it gets Unavailable at once,
  // on the caller's thread.
  using Done = std::function<void(Result<int64_t>)>;
  void EnqueueAsync(NewMail mail, std::string fields_json, Done done);

  // Completes every mail submitted before, then stops the thread. Idempotent.
  void Close();

  BatcherStats stats() const;

 private:
  // Completes through on_done, is deleted then (GroupCommit's async unit).
  struct Unit {
    NewMail mail;
    std::string fields;
    Done on_done;
    Result<int64_t> result = Status::Internal("not run");
  };

  void RunBatch(std::span<Unit*> batch);
  // One statement for `units`; fills their results when it commits.
  Status Insert(Connection& conn, std::span<Unit*> units);

  Pool& pool_;
  mutable std::mutex mu_;
  BatcherStats stats_;  // guarded by mu_
  GroupCommit<Unit> queue_;  // last: its thread starts after the members above
};

}  // namespace campaignd::store::postgres

#endif  // CAMPAIGND_STORE_POSTGRES_ENQUEUE_BATCHER_H_
