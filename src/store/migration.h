// Migration: one versioned schema change, embedded in the binary at build
// time from src/store/migrations/<engine>/NNNN_name.sql (embed_migrations.cmake);
// applied by sql/migrator.h. Threads: immutable data.
#ifndef CAMPAIGND_STORE_MIGRATION_H_
#define CAMPAIGND_STORE_MIGRATION_H_

#include <span>
#include <string_view>

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

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_MIGRATION_H_
