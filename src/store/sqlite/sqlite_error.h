// Turns an SQLite result code into a Status - the one place that decides
// which SQLite failures are "try again later" (Unavailable: the API answers
// 503) and which are not. Used by database.cc and statement.cc only.
// Threads: pure function (reads the connection's last error message).
#ifndef CAMPAIGND_STORE_SQLITE_SQLITE_ERROR_H_
#define CAMPAIGND_STORE_SQLITE_SQLITE_ERROR_H_

#include <string_view>

#include "core/status.h"

struct sqlite3;

namespace campaignd::store::sqlite {

// REQUIRES: rc is an (extended) error code, not SQLITE_OK/ROW/DONE.
// BUSY, LOCKED, FULL, IOERR_*, CANTOPEN -> Unavailable;
// CONSTRAINT_* -> InvalidArgument; CORRUPT, NOTADB -> Corruption;
// everything else -> IOError. The message is "<purpose>: <SQLite's message>"
// (`db` may be null; then the generic text of rc is used).
Status SqliteError(int rc, sqlite3* db, std::string_view purpose);

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_SQLITE_ERROR_H_
