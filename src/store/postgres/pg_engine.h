// PgEngine: the scale-out store (behaviour.md §6) - any number of campaignd
// processes, API-only, worker-only or both, share one PostgreSQL database.
// Per process: a connection pool (pool.h), the enqueue batcher (group
// commit, enqueue_batcher.h), and once subscribed a listener for new-mail
// notifications (listener.h). Built by OpenEngine("postgresql://...") in
// engine.cc; tests open it directly to see the batcher's counters.
// The design and its failure modes: docs/decisions/0009-postgresql.md.
// Threads: as store.h. Errors: as OpenEngine in store.h.
#ifndef CAMPAIGND_STORE_POSTGRES_PG_ENGINE_H_
#define CAMPAIGND_STORE_POSTGRES_PG_ENGINE_H_

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "store/copy.h"
#include "store/migration.h"
#include "store/postgres/enqueue_batcher.h"
#include "store/postgres/pg_coordination.h"
#include "store/postgres/pg_queue.h"
#include "store/postgres/pg_runner.h"
#include "store/postgres/pool.h"
#include "store/store.h"

namespace campaignd::store::postgres {

class PgEngine final : public Engine {
 public:
  // Connects to `url`, applies pending migrations (migration.h) and
  // opens the pool lazily. Unavailable when the server cannot be reached.
  static Result<std::unique_ptr<PgEngine>> Open(std::string_view url,
                                                const EngineOptions& options);
  // Applies pending migrations to the database at `url`; what it applied.
  static Result<std::vector<Migration>> Migrate(std::string_view url);
  ~PgEngine() override;  // Close()

  MailQueue& queue() override { return queue_; }
  Coordination& coordination() override { return coordination_; }
  // Completes pending enqueues, stops the listener, closes every
  // connection. Idempotent.
  void Close() override;

  BatcherStats batcher_stats() const { return batcher_.stats(); }
  uint64_t listener_connects() { return coordination_.listener_connects(); }
  // copy-db's mail-ID sequence (store/copy.h): the identity
  // sequences of mails and mail_events.
  static const CopySequences& copy_sequences();

 private:
  PgEngine(std::string url, std::size_t connections);

  // Constant after construction (destroyed bottom-up: users before owners).
  const std::string url_;
  Pool pool_;
  EnqueueBatcher batcher_;
  PgRunner runner_;  // the engine-neutral parts' (sql/)
  PgQueue queue_;
  PgCoordination coordination_;
  std::once_flag close_once_;
};

}  // namespace campaignd::store::postgres

#endif  // CAMPAIGND_STORE_POSTGRES_PG_ENGINE_H_
