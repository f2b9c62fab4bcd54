// Brings an SQLite database to the schema this binary knows: applies every
// embedded migration (store/migration.h) newer than the database's version,
// each in its own transaction, recording it in schema_migrations(version,
// name, applied_at). Called once when an engine opens, before any other use.
// Threads: takes the database's write lock (BEGIN IMMEDIATE) per migration,
// so two processes opening the same file at once apply each migration once.
// Errors: InvalidArgument when the database is newer than the binary or a
// recorded migration has another name; the failing migration's Status.
#ifndef CAMPAIGND_STORE_SQLITE_MIGRATOR_H_
#define CAMPAIGND_STORE_SQLITE_MIGRATOR_H_

#include <span>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "store/migration.h"
#include "store/sqlite/database.h"

namespace campaignd::store::sqlite {

// REQUIRES: `migrations` ordered by ascending version; `db` writable and
// not inside a transaction. `now` is recorded as applied_at. Appends the
// migrations this call applied to `applied` (when given).
Status ApplyMigrations(Database& db, std::span<const Migration> migrations, TimePoint now,
                       std::vector<Migration>* applied = nullptr);

// The highest applied version; 0 for a new database.
Result<int> SchemaVersion(Database& db);

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_MIGRATOR_H_
