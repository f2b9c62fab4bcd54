#include "store/postgres/pg_engine.h"

#include <chrono>

#include "store/postgres/pg_url.h"
#include "store/sql/migrator.h"

namespace campaignd::store::postgres {
namespace {

// The advisory lock every campaignd holds while migrating ("campaign" in
// ASCII): processes starting at once wait for the first, then find nothing
// to do.
constexpr int64_t kMigrationLock = 0x63616d706169676e;

}  // namespace

Result<std::vector<Migration>> PgEngine::Migrate(std::string_view url) {
  if (!IsPostgresUrl(url)) {
    return Status::InvalidArgument("not a postgresql:// URL: " + RedactUrl(url));
  }
  Result<std::unique_ptr<Connection>> conn = Connection::Open(std::string(url), kConnectTimeout);
  if (!conn.ok()) return conn.status();
  Connection& db = **conn;
  // Another process may be migrating: wait for it, past kLockTimeout. A
  // lost connection releases the lock with the session.
  CAMPAIGND_RETURN_IF_ERROR(db.Exec(
      "SET lock_timeout = 0; SELECT pg_advisory_lock(" + std::to_string(kMigrationLock) + ")",
      "take the migration lock"));
  std::unique_ptr<SqlSession> session = SessionOn(db);
  const auto exec = [&db](std::string_view sql, std::string_view purpose) {
    return db.Exec(sql, purpose);
  };
  std::vector<Migration> applied;
  Status status = ApplyMigrations({db.database(), *session, exec, "BEGIN"}, PostgresMigrations(),
                                  std::chrono::system_clock::now(), &applied);
  Status unlocked = db.Exec("SELECT pg_advisory_unlock(" + std::to_string(kMigrationLock) + ")",
                            "release the migration lock");
  if (!status.ok()) return status;
  if (!unlocked.ok()) return unlocked;
  return applied;
}

Result<std::unique_ptr<PgEngine>> PgEngine::Open(std::string_view url,
                                                 const EngineOptions& options) {
  Result<std::vector<Migration>> migrated = Migrate(url);
  if (!migrated.ok()) return migrated.status();
  const std::size_t connections = options.connections > 0 ? options.connections : kDefaultPoolSize;
  return std::unique_ptr<PgEngine>(new PgEngine(std::string(url), connections));
}

PgEngine::PgEngine(std::string url, std::size_t connections)
    : url_(std::move(url)),
      pool_(url_, connections),
      batcher_(pool_),
      runner_(pool_),
      queue_(runner_, pool_, batcher_),
      coordination_(url_, pool_) {
  BuildParts(runner_);
}

PgEngine::~PgEngine() { Close(); }

const CopySequences& PgEngine::copy_sequences() {
  // The identity sequences continue after the copied rows; mails' also
  // after every ID the source ever handed out.
  static const CopySequences kSequences = {
      "SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('mails', 'id')::regclass),"
      " 0)",
      {"SELECT setval(pg_get_serial_sequence('mails', 'id'),"
       "              greatest($1, (SELECT max(id) FROM mails), 1), $1 > 0 OR"
       "              EXISTS (SELECT 1 FROM mails)),"
       "       setval(pg_get_serial_sequence('mail_events', 'id'),"
       "              coalesce((SELECT max(id) FROM mail_events), 1),"
       "              EXISTS (SELECT 1 FROM mail_events)),"
       "       setval(pg_get_serial_sequence('events', 'id'),"
       "              coalesce((SELECT max(id) FROM events), 1),"
       "              EXISTS (SELECT 1 FROM events)),"
       "       setval(pg_get_serial_sequence('webhook_attempts', 'id'),"
       "              coalesce((SELECT max(id) FROM webhook_attempts), 1),"
       "              EXISTS (SELECT 1 FROM webhook_attempts))"}};
  return kSequences;
}

void PgEngine::Close() {
  std::call_once(close_once_, [this] {
    batcher_.Close();
    coordination_.Close();
    pool_.Close();
  });
}

}  // namespace campaignd::store::postgres
