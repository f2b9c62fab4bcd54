// SqliteEngine: the embedded store (behaviour.md §6) - one database file,
// one writer thread with group commit (writer.h), a small read pool
// (sqlite_runner.h), and optionally the serve lock (serve_lock.h). Built by
// OpenEngine("sqlite:PATH") in engine.cc; tests open it directly to see
// the writer's counters.
// ":memory:" opens a private temporary database file in $TMPDIR (or /tmp)
// without fsync, removed on Close(): SQLite's own in-memory databases
// cannot be shared by the writer and reader connections without
// shared-cache locking, which fails readers instead of letting them wait.
// Threads: as store.h. Errors: as OpenEngine in store.h.
#ifndef CAMPAIGND_STORE_SQLITE_SQLITE_ENGINE_H_
#define CAMPAIGND_STORE_SQLITE_SQLITE_ENGINE_H_

#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/copy.h"
#include "store/local_coordination.h"
#include "store/migration.h"
#include "store/store.h"
#include "store/sqlite/serve_lock.h"
#include "store/sqlite/sqlite_queue.h"
#include "store/sqlite/sqlite_runner.h"
#include "store/sqlite/writer.h"
#include "store/temp_dir.h"

namespace campaignd::store::sqlite {

inline constexpr std::string_view kMemoryPath = ":memory:";

// store/migration.h on `db`, writable and outside a transaction. Each
// migration's BEGIN IMMEDIATE takes the database's write lock, so two
// processes opening the same file at once apply each migration once.
Status ApplyMigrations(Database& db, std::span<const Migration> migrations, TimePoint now,
                       std::vector<Migration>* applied = nullptr);

class SqliteEngine final : public Engine {
 public:
  // Opens (creating if needed) the database at `path` (relative to the
  // working directory) or kMemoryPath, and applies pending migrations
  // (appended to `applied` when given).
  static Result<std::unique_ptr<SqliteEngine>> Open(std::string_view path,
                                                    const EngineOptions& options,
                                                    std::vector<Migration>* applied = nullptr);
  // Applies pending migrations to the database at `path` (created if
  // missing); what it applied. InvalidArgument for kMemoryPath.
  static Result<std::vector<Migration>> Migrate(std::string_view path);
  ~SqliteEngine() override;  // Close()

  MailQueue& queue() override { return queue_; }
  Coordination& coordination() override { return coordination_; }
  // Completes pending writes, closes every connection, removes a
  // temporary database and releases the serve lock. Idempotent.
  void Close() override;

  WriterStats writer_stats() const { return writer_->stats(); }
  Writer& writer() { return *writer_; }
  ReadPool& readers() { return readers_; }
  // copy-db's mail-ID sequence (store/copy.h): sqlite_sequence's
  // entry for mails (AUTOINCREMENT); mail_events ids (INTEGER PRIMARY KEY)
  // continue after the highest row by themselves.
  static const CopySequences& copy_sequences();
  // The database file (for ":memory:", the temporary one).
  const std::string& path() const { return path_; }

 private:
  SqliteEngine(std::string path, TempDir temp_dir, std::optional<ServeLock> lock,
               std::unique_ptr<Writer> writer, bool durable);

  // Constant after construction (destroyed bottom-up: users before owners).
  const std::string path_;
  TempDir temp_dir_;
  std::optional<ServeLock> lock_;
  std::unique_ptr<Writer> writer_;
  ReadPool readers_;
  SqliteRunner runner_;  // the engine-neutral parts' (sql/)
  SqliteQueue queue_;
  LocalCoordination coordination_;
  std::once_flag close_once_;
};

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_SQLITE_ENGINE_H_
