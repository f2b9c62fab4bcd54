#include "store/postgres/pg_migrator.h"

#include <string>

namespace campaignd::store::postgres {
namespace {

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)";

// Checks every recorded migration and returns the highest version.
Result<int> CheckRecorded(Connection& conn, std::span<const Migration> migrations) {
  Result<PgResult> rows = conn.Query(
      "SELECT version, name, current_database() FROM schema_migrations ORDER BY version", Params(),
      "read schema_migrations");
  if (!rows.ok()) return rows.status();
  int version = 0;
  for (int i = 0; i < rows->rows(); ++i) {
    CAMPAIGND_RETURN_IF_ERROR(CheckRecordedMigration(rows->Text(i, 2), migrations,
                                                     rows->Int(i, 0), rows->Text(i, 1)));
    version = static_cast<int>(rows->Int(i, 0));
  }
  return version;
}

Status ApplyOne(Connection& conn, const Migration& m, TimePoint now) {
  const std::string purpose =
      "migration " + std::to_string(m.version) + "_" + std::string(m.name);
  Transaction transaction(conn, purpose);
  CAMPAIGND_RETURN_IF_ERROR(transaction.status());
  CAMPAIGND_RETURN_IF_ERROR(conn.Exec(m.sql, purpose));
  Result<PgResult> recorded = conn.Query(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
      Params().Int(m.version).Text(m.name).Int(ToUnixMillis(now)), "record migration");
  if (!recorded.ok()) return recorded.status();
  return transaction.Commit();
}

// Everything after taking the lock.
Status ApplyLocked(Connection& conn, std::span<const Migration> migrations, TimePoint now,
                   std::vector<Migration>* applied) {
  CAMPAIGND_RETURN_IF_ERROR(conn.Exec(kCreateTable, "create schema_migrations"));
  Result<int> version = CheckRecorded(conn, migrations);
  if (!version.ok()) return version.status();
  for (const Migration& m : migrations) {
    if (m.version <= *version) continue;
    CAMPAIGND_RETURN_IF_ERROR(ApplyOne(conn, m, now));
    if (applied != nullptr) applied->push_back(m);
  }
  return Status::Ok();
}

}  // namespace

Status ApplyMigrations(Connection& conn, std::span<const Migration> migrations, TimePoint now,
                       std::vector<Migration>* applied) {
  const std::string key = std::to_string(kMigrationLockKey);
  // Another process may be migrating: wait for it, past kLockTimeout.
  CAMPAIGND_RETURN_IF_ERROR(conn.Exec("SET lock_timeout = 0", "lift the lock timeout"));
  CAMPAIGND_RETURN_IF_ERROR(
      conn.Exec("SELECT pg_advisory_lock(" + key + ")", "take the migration lock"));
  Status status = ApplyLocked(conn, migrations, now, applied);
  // A lost connection released the lock with the session.
  Status unlocked = conn.Exec("SELECT pg_advisory_unlock(" + key + ")", "release the migration lock");
  return status.ok() ? unlocked : status;
}

}  // namespace campaignd::store::postgres
