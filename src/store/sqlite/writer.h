// Writer: the one thread that writes to an SQLite database, with group
// commit. Every write of the engine (Enqueue, Claim, Record, Release*,
// Apply) is a unit of work submitted here; the caller blocks until its unit
// is durable or has failed.
//
// Group commit. SQLite allows one writer at a time and each commit with
// synchronous=FULL costs an fsync (milliseconds on real disks), so one
// transaction per enqueue caps the API at a few hundred mails per second.
// Instead the writer takes every pending unit (at most kMaxGroupCommit),
// runs them in ONE `BEGIN IMMEDIATE` transaction, each inside its own
// SAVEPOINT, and commits once: one fsync for the whole batch. While it
// commits, new units queue up and form the next batch, so the batch size
// grows with the load and a lone caller still waits for one commit only.
// - A unit that fails is rolled back to its savepoint alone and gets its own
//   Status; the others of the batch still commit.
// - If SQLite abandons the transaction (disk full, I/O error) or COMMIT
//   fails, every unit of the batch gets Unavailable: nobody is told "done"
//   for a write that is not durable.
// Threads: Submit() and SubmitAsync() from any thread; the unit, and an
// async unit's completion, run on the writer thread.
#ifndef CAMPAIGND_STORE_SQLITE_WRITER_H_
#define CAMPAIGND_STORE_SQLITE_WRITER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>

#include "core/status.h"
#include "store/group_commit.h"
#include "store/sqlite/database.h"

namespace campaignd::store::sqlite {

struct WriterStats {
  uint64_t units = 0;            // units run (committed or failed)
  uint64_t transactions = 0;     // transactions committed
  uint64_t failed_batches = 0;   // batches whose BEGIN or COMMIT failed
  std::size_t pending = 0;       // units waiting for the next batch
};

class Writer {
 public:
  // A unit: the writes of one caller. It runs inside a transaction and a
  // savepoint; it must not BEGIN/COMMIT itself. Its Status decides whether
  // its savepoint is kept. Results go out through captured references,
  // valid once Submit() returned OK.
  using Work = std::function<Status(Database&)>;

  // Starts the writer thread, which owns `db` from now on.
  explicit Writer(std::unique_ptr<Database> db);
  ~Writer();  // Close()
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Runs `work` in the next batch and returns its Status once the batch is
  // committed (or failed). Unavailable after Close().
  Status Submit(const Work& work);

  // As Submit, without waiting: `done` gets the Status on the writer
  // thread once the batch is committed (or failed); it must not block.
  // After Close() it gets Unavailable at once, on the caller's thread.
  using Done = std::function<void(const Status&)>;
  void SubmitAsync(Work work, Done done);

  // Work for a batch as a whole (what its units left for it, e.g. the
  // queue's `enqueued` counters summed: one UPSERT per batch, not one per
  // unit). `end` runs after the batch's units, inside its transaction but in
  // no savepoint, and consumes what they left; its failure fails the batch.
  // `discard` runs instead when the batch is abandoned before (what the
  // units left is rolled back with it). Both on the writer thread; set
  // before any unit relies on them, cleared (nullptr) before they go away.
  void SetBatchEnd(Work end, std::function<void()> discard);

  // Completes every unit submitted before, then stops the thread and
  // closes the connection. Idempotent; not concurrent with itself.
  void Close();

  WriterStats stats() const;

 private:
  struct Unit {
    Work work;
    Done on_done;  // on the writer thread, then the unit is deleted
    Status status;
  };

  void RunBatch(std::span<Unit*> batch);
  Status RunUnit(Unit& unit);
  void FailAll(std::span<Unit*> batch, const Status& cause);

  // Constant after construction; used by the writer thread only.
  std::unique_ptr<Database> db_;
  mutable std::mutex mu_;
  WriterStats stats_;        // guarded by mu_ (pending: the queue's)
  struct BatchEnd {
    Work end;
    std::function<void()> discard;
  };
  std::shared_ptr<const BatchEnd> batch_end_;  // guarded by mu_
  GroupCommit<Unit> queue_;  // last: its thread starts after the members above
};

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_WRITER_H_
