// Migration: one versioned schema change, embedded in the binary at build
// time from src/store/migrations/<engine>/NNNN_name.sql (embed_migrations.cmake).
// Each engine has its own list and its own runner (sqlite/migrator.h,
// postgres/pg_migrator.h); this header is engine-neutral.
// Threads: immutable data and pure functions.
#ifndef CAMPAIGND_STORE_MIGRATION_H_
#define CAMPAIGND_STORE_MIGRATION_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace campaignd::store {

struct Migration {
  int version = 0;        // NNNN of the file name; 1, 2, 3... ascending
  std::string_view name;  // the file name's rest, without ".sql"
  std::string_view sql;   // the whole file
};

// The SQLite and PostgreSQL migrations, ordered by ascending version
// (generated sources).
std::span<const Migration> SqliteMigrations();
std::span<const Migration> PostgresMigrations();

// The refusal rules of both engines for one migration a database recorded
// as applied: InvalidArgument when it is newer than every one of
// `migrations` (run a newer campaignd), has another name here (renamed) or
// is unknown. `database` names the database in the message.
Status CheckRecordedMigration(std::string_view database, std::span<const Migration> migrations,
                              int64_t version, const std::string& name);

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_MIGRATION_H_
