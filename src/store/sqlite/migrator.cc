#include "store/sqlite/migrator.h"

#include <string>
#include <vector>

namespace campaignd::store::sqlite {
namespace {

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)";

// Checks that what the database recorded agrees with `migrations`.
Status CheckRecorded(Database& db, std::span<const Migration> migrations) {
  Result<Statement> rows =
      db.Prepare("SELECT version, name FROM schema_migrations ORDER BY version",
                 "read schema_migrations");
  if (!rows.ok()) return rows.status();
  return rows->ForEachRow(
      [&] {
        return CheckRecordedMigration(db.path(), migrations, rows->ColumnInt(0),
                                      rows->ColumnText(1));
      });
}

// Applies `m` unless another process did since we looked (`applied` says).
Status ApplyOne(Database& db, const Migration& m, TimePoint now, bool& applied) {
  const std::string purpose = "migration " + std::to_string(m.version) + "_" +
                              std::string(m.name);
  CAMPAIGND_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE", purpose + " (begin)"));
  Result<int> version = SchemaVersion(db);
  Status status = version.status();
  if (status.ok() && *version < m.version) {
    applied = true;
    status = db.Exec(m.sql, purpose);
    if (status.ok()) {
      Result<Statement> insert = db.Prepare(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
          "record migration");
      status = insert.ok() ? insert->BindInt(1, m.version)
                                 .BindText(2, m.name)
                                 .BindInt(3, ToUnixMillis(now))
                                 .Run()
                           : insert.status();
    }
  }
  if (status.ok()) status = db.Exec("COMMIT", purpose + " (commit)");
  if (!status.ok() && db.InTransaction()) db.Exec("ROLLBACK", purpose + " (rollback)");
  return status;
}

}  // namespace

Result<int> SchemaVersion(Database& db) {
  Result<Statement> query = db.Prepare("SELECT coalesce(max(version), 0) FROM schema_migrations",
                                       "read schema version");
  if (!query.ok()) return query.status();
  Result<bool> row = query->Step();
  if (!row.ok()) return row.status();
  return static_cast<int>(query->ColumnInt(0));
}

Status ApplyMigrations(Database& db, std::span<const Migration> migrations, TimePoint now,
                       std::vector<Migration>* applied) {
  CAMPAIGND_RETURN_IF_ERROR(db.Exec(kCreateTable, "create schema_migrations"));
  CAMPAIGND_RETURN_IF_ERROR(CheckRecorded(db, migrations));
  Result<int> version = SchemaVersion(db);
  if (!version.ok()) return version.status();
  for (const Migration& m : migrations) {
    if (m.version <= *version) continue;
    bool done = false;
    CAMPAIGND_RETURN_IF_ERROR(ApplyOne(db, m, now, done));
    if (done && applied != nullptr) applied->push_back(m);
  }
  return Status::Ok();
}

}  // namespace campaignd::store::sqlite
