// The database commands main.cc dispatches to:
//   campaignd migrate [--db URL]             apply pending migrations and exit
//   campaignd copy-db --from URL --to URL    move an installation to another
//                                            (empty) database, SQLite or PostgreSQL
// Each writes its report to `out` and problems to `err` (URLs without their
// password) and returns the process exit code of admin/commands.h.
// Threads: run on the main thread; they block on the databases.
#ifndef CAMPAIGND_ADMIN_DB_COMMANDS_H_
#define CAMPAIGND_ADMIN_DB_COMMANDS_H_

#include <ostream>
#include <string>

namespace campaignd::admin {

// Prints "applied migration N name" per migration applied, or "up to date".
// kExitBadInput for an unknown URL scheme or a database newer than this
// binary; kExitDatabaseError when the database cannot be reached or a
// migration fails.
int RunMigrate(const std::string& db_url, std::ostream& out, std::ostream& err);

// Copies every row of `from_url` into the empty database `to_url` in one
// transaction (store/copy.h) and prints the rows per table and the mail-ID
// high water. kExitBadInput for a non-empty target, the same database twice
// or an unknown scheme (nothing written); kExitDatabaseError otherwise.
int RunCopyDb(const std::string& from_url, const std::string& to_url, std::ostream& out,
              std::ostream& err);

}  // namespace campaignd::admin

#endif  // CAMPAIGND_ADMIN_DB_COMMANDS_H_
