#include "store/sqlite/sqlite_error.h"

#include <sqlite3.h>

#include <string>

namespace campaignd::store::sqlite {

Status SqliteError(int rc, sqlite3* db, std::string_view purpose) {
  std::string message(purpose);
  message += ": ";
  // sqlite3_errmsg describes the connection's most recent failure, which is
  // `rc` when the caller reports right away; it adds detail (the constraint).
  message += (db != nullptr && sqlite3_extended_errcode(db) == rc) ? sqlite3_errmsg(db)
                                                                   : sqlite3_errstr(rc);
  message += " (SQLite code " + std::to_string(rc) + ")";
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return Status::Unavailable(std::move(message));
    case SQLITE_CONSTRAINT:
      return Status::InvalidArgument(std::move(message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(std::move(message));
    default:
      return Status::IOError(std::move(message));
  }
}

}  // namespace campaignd::store::sqlite
