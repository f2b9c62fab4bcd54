// Retention (events.md §6): what the worker role purges and how often -
// mails past the status retention with their history, events (with their
// webhook outbox rows) and webhook attempts past their own retention - in
// small batches (sql/events.h PurgeBefore: one short write transaction a
// batch, so the API's writes are never held up for long); the hourly
// counters stay. PurgeExpired is the one run, shared by the worker's
// thread (queue/retention.h) and `campaignd mail purge`.
// Threads: the caller's. Errors: the engine's Status.
#ifndef CAMPAIGND_STORE_RETENTION_H_
#define CAMPAIGND_STORE_RETENTION_H_

#include <atomic>
#include <chrono>
#include <cstdint>

#include "core/clock.h"
#include "core/status.h"
#include "store/sql_session.h"

namespace campaignd::store {

struct RetentionPolicy {
  std::chrono::seconds mails{0};     // the status retention
  std::chrono::seconds events{0};    // events and their outbox rows
  std::chrono::seconds attempts{0};  // webhook attempts
  int batch = 500;                   // rows a transaction
};

struct Purged {
  int64_t mails = 0;  // with their history
  int64_t events = 0;
  int64_t attempts = 0;
};

// Deletes what is older than `now` minus its retention (mails: only the
// final ones), kind after kind; a set `stop` ends it between two batches.
Result<Purged> PurgeExpired(SqlRunner& runner, TimePoint now, const RetentionPolicy& policy,
                            const std::atomic<bool>* stop = nullptr);

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_RETENTION_H_
