#include "store/sqlite/database.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "store/sqlite/sqlite_error.h"

namespace campaignd::store::sqlite {

Status CheckPrivateFiles(const std::string& path) {
  std::string files, chmod = "chmod o-rwx";
  int count = 0;
  for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) continue;  // not there (yet): created private
    if ((st.st_mode & (S_IROTH | S_IWOTH)) == 0) continue;
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    files += std::string(count++ == 0 ? "" : ", ") + file + " (mode " + mode + ")";
    chmod += " '" + file + "'";
  }
  if (count == 0) return Status::Ok();
  return Status::InvalidArgument(
      std::string(count == 1 ? "database file " : "database files ") + files +
      (count == 1 ? " is" : " are") +
      " readable or writable by other users, but the database holds mail-ID secrets, DKIM keys "
      "and relay passwords: run " +
      chmod + " (or set allow_insecure_permissions = true to start anyway)");
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& path,
                                                 const DatabaseOptions& options) {
  if (!options.read_only) {
    // SQLite would create a new file with 0644 & ~umask: create it first,
    // private. O_EXCL: an existing file (perhaps open in this process, with
    // SQLite's POSIX locks on it) is never opened and closed here.
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, kDatabaseFileMode);
    if (fd >= 0) ::close(fd);
  }
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status status = SqliteError(rc, db, "open database " + path);
    sqlite3_close_v2(db);  // a handle is returned even on failure
    return status;
  }
  std::unique_ptr<Database> database(new Database(db, path));
  Status configured = database->Configure(options);
  if (!configured.ok()) return configured;
  return database;
}

Database::~Database() {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
  sqlite3_close_v2(db_);
}

Status Database::Configure(const DatabaseOptions& options) {
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, static_cast<int>(options.busy_timeout.count()));
  if (!options.read_only && sqlite3_db_readonly(db_, "main") == 1) {
    return Status::IOError("database " + path_ +
                           " is read-only (file or directory not writable); campaignd needs "
                           "write access");
  }
  if (!options.read_only) {
    Result<Statement> pragma = Prepare("PRAGMA journal_mode=WAL", "enable WAL");
    if (!pragma.ok()) return pragma.status();
    Result<bool> row = pragma->Step();
    if (!row.ok()) return row.status();
    const std::string mode = *row ? pragma->ColumnText(0) : "";
    if (mode != "wal") {
      return Status::IOError("database " + path_ + " cannot use WAL (journal mode is '" + mode +
                             "')");
    }
  }
  CAMPAIGND_RETURN_IF_ERROR(Exec(options.durable ? "PRAGMA synchronous=FULL"
                                                 : "PRAGMA synchronous=OFF",
                                 "set synchronous mode"));
  CAMPAIGND_RETURN_IF_ERROR(Exec("PRAGMA foreign_keys=ON", "enable foreign keys"));
  if (options.read_only) {
    CAMPAIGND_RETURN_IF_ERROR(Exec("PRAGMA query_only=ON", "make connection read-only"));
  }
  return Status::Ok();
}

Status Database::Exec(std::string_view sql, std::string_view purpose) {
  std::string text(sql);  // sqlite3_exec needs a NUL-terminated string
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(rc, db_, purpose);
  return Status::Ok();
}

Result<Statement> Database::Prepare(std::string_view sql, std::string_view purpose) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && !it->second.in_use) {
    it->second.in_use = true;
    return Statement(it->second.stmt, &it->second.in_use, std::string(purpose));
  }
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  unsigned flags = it == cache_.end() ? SQLITE_PREPARE_PERSISTENT : 0;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), flags, &stmt, &tail);
  if (rc != SQLITE_OK) return SqliteError(rc, db_, std::string(purpose) + " (prepare)");
  if (stmt == nullptr || tail != sql.data() + sql.size()) {
    sqlite3_finalize(stmt);
    return Status::Internal(std::string(purpose) + ": Prepare() takes exactly one statement");
  }
  if (it != cache_.end()) {
    return Statement(stmt, nullptr, std::string(purpose));  // a second, nested use
  }
  CachedStatement& slot = cache_[std::string(sql)];
  slot = {stmt, true};
  return Statement(stmt, &slot.in_use, std::string(purpose));
}

int64_t Database::Changes() const { return sqlite3_changes64(db_); }

bool Database::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

}  // namespace campaignd::store::sqlite
