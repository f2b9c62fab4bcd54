// Brings a PostgreSQL database to the schema this binary knows: applies
// every embedded migration (store/migration.h) newer than the database's
// version, each in its own transaction, recording it in
// schema_migrations(version, name, applied_at). Called when an engine opens
// and by `campaignd migrate`.
// Threads: the whole run holds pg_advisory_lock(kMigrationLockKey), so any
// number of processes starting at once apply each migration once; the others
// wait, then find nothing to do.
// Errors: InvalidArgument when the database is newer than the binary or a
// recorded migration is unknown or has another name (migration.h); the
// failing migration's Status.
#ifndef CAMPAIGND_STORE_POSTGRES_PG_MIGRATOR_H_
#define CAMPAIGND_STORE_POSTGRES_PG_MIGRATOR_H_

#include <cstdint>
#include <span>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "store/migration.h"
#include "store/postgres/connection.h"

namespace campaignd::store::postgres {

// The advisory lock every campaignd takes while migrating ("campaign" in ASCII).
inline constexpr int64_t kMigrationLockKey = 0x63616d706169676e;

// REQUIRES: `migrations` ordered by ascending version; `conn` outside a
// transaction. Appends what this call applied to `applied` (when given).
Status ApplyMigrations(Connection& conn, std::span<const Migration> migrations, TimePoint now,
                       std::vector<Migration>* applied = nullptr);

}  // namespace campaignd::store::postgres

#endif  // CAMPAIGND_STORE_POSTGRES_PG_MIGRATOR_H_
