#include "store/sql/migrator.h"

namespace campaignd::store {
namespace {

// One DDL for both engines: SQLite reads bigint as INTEGER.
constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)";

// InvalidArgument when the recorded migration (`version`, `name`) is newer
// than every one of `migrations` (run a newer campaignd), has another name
// here (renamed) or is unknown.
Status CheckRecorded(std::string_view database, std::span<const Migration> migrations,
                     int64_t version, const std::string& name) {
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  const std::string recorded = "database " + std::string(database) + " has schema version " +
                               std::to_string(version) + " ('" + name + "')";
  if (version > latest) {
    return Status::InvalidArgument(recorded + ", newer than this campaignd knows (up to " +
                                   std::to_string(latest) + "); run a newer campaignd");
  }
  for (const Migration& m : migrations) {
    if (m.version != version) continue;
    if (m.name == name) return Status::Ok();
    return Status::InvalidArgument(recorded + " but this campaignd calls migration " +
                                   std::to_string(version) + " '" + std::string(m.name) + "'");
  }
  return Status::InvalidArgument(recorded + ", which this campaignd does not know");
}

// Applies `m` inside the open transaction unless another process did since
// we looked; whether it did.
Result<bool> ApplyOne(const MigrationTarget& db, const Migration& m, TimePoint now,
                      const std::string& purpose) {
  Result<std::vector<SqlRow>> version = db.session.Query(
      "SELECT coalesce(max(version), 0) FROM schema_migrations", {}, 1, "read schema version");
  if (!version.ok()) return version.status();
  Result<int64_t> current = CellInt(version->front(), 0);
  if (!current.ok()) return current.status();
  if (*current >= m.version) return false;
  CAMPAIGND_RETURN_IF_ERROR(db.exec(m.sql, purpose));
  const SqlValue params[] = {int64_t{m.version}, std::string(m.name), ToUnixMillis(now)};
  CAMPAIGND_RETURN_IF_ERROR(
      db.session
          .Execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                   params, "record migration")
          .status());
  return true;
}

}  // namespace

Status ApplyMigrations(const MigrationTarget& db, std::span<const Migration> migrations,
                       TimePoint now, std::vector<Migration>* applied) {
  CAMPAIGND_RETURN_IF_ERROR(db.exec(kCreateTable, "create schema_migrations"));
  Result<std::vector<SqlRow>> rows =
      db.session.Query("SELECT version, name FROM schema_migrations ORDER BY version", {}, 2,
                       "read schema_migrations");
  if (!rows.ok()) return rows.status();
  int64_t version = 0;
  for (const SqlRow& row : *rows) {
    Result<int64_t> recorded = CellInt(row, 0);
    if (!recorded.ok()) return recorded.status();
    CAMPAIGND_RETURN_IF_ERROR(CheckRecorded(db.database, migrations, *recorded, CellText(row, 1)));
    version = *recorded;
  }
  for (const Migration& m : migrations) {
    if (m.version <= version) continue;
    const std::string purpose =
        "migration " + std::to_string(m.version) + "_" + std::string(m.name);
    CAMPAIGND_RETURN_IF_ERROR(db.exec(db.begin, purpose + " (begin)"));
    Result<bool> done = ApplyOne(db, m, now, purpose);
    Status status = done.ok() ? db.exec("COMMIT", purpose + " (commit)") : done.status();
    if (!status.ok()) {
      db.exec("ROLLBACK", purpose + " (rollback)");  // none left open: nothing to undo
      return status;
    }
    if (*done && applied != nullptr) applied->push_back(m);
  }
  return Status::Ok();
}

}  // namespace campaignd::store
