// The one migrator of both engines: applies every embedded migration
// (store/migration.h) newer than the database's version, each in its own
// transaction, recording it in schema_migrations(version, name,
// applied_at). Called when an engine opens and by `campaignd migrate`; each
// engine brings only its connection and its locking (SQLite: BEGIN
// IMMEDIATE per migration; PostgreSQL: an advisory lock around the whole
// run, pg_engine.cc), so processes starting at once apply each migration once.
// Threads: one connection, one thread.
// Errors: InvalidArgument when the database is newer than the binary or a
// recorded migration is unknown or has another name; the failing
// migration's Status (its transaction rolled back).
#ifndef CAMPAIGND_STORE_SQL_MIGRATOR_H_
#define CAMPAIGND_STORE_SQL_MIGRATOR_H_

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "store/migration.h"
#include "store/sql_session.h"

namespace campaignd::store {

// One engine's connection, outside any transaction, as the migrator uses it.
struct MigrationTarget {
  std::string database;  // named in messages
  SqlSession& session;   // single statements
  // Runs SQL text of one or more statements: a migration's file, BEGIN,
  // COMMIT, ROLLBACK.
  std::function<Status(std::string_view sql, std::string_view purpose)> exec;
  std::string_view begin;  // opens each migration's transaction
};

// REQUIRES: `migrations` ordered by ascending version. `now` is recorded as
// applied_at. Appends the migrations this call applied to `applied` (when
// given).
Status ApplyMigrations(const MigrationTarget& db, std::span<const Migration> migrations,
                       TimePoint now, std::vector<Migration>* applied = nullptr);

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_SQL_MIGRATOR_H_
