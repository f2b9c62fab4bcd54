#include "store/sqlite/statement.h"

#include <sqlite3.h>

#include <utility>

#include "store/sqlite/sqlite_error.h"

namespace campaignd::store::sqlite {

Statement::Statement(sqlite3_stmt* stmt, bool* in_use, std::string purpose)
    : stmt_(stmt), in_use_(in_use), purpose_(std::move(purpose)) {}

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      in_use_(std::exchange(other.in_use_, nullptr)),
      purpose_(std::move(other.purpose_)),
      bind_rc_(other.bind_rc_) {}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  if (in_use_ == nullptr) {
    sqlite3_finalize(stmt_);
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  *in_use_ = false;
}

Statement& Statement::Bind(int index, const SqlValue& value) {
  int rc = SQLITE_OK;
  if (const auto* i = std::get_if<int64_t>(&value)) {
    rc = sqlite3_bind_int64(stmt_, index, *i);
  } else if (const auto* s = std::get_if<std::string>(&value)) {
    rc = sqlite3_bind_text64(stmt_, index, s->data(), s->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  } else if (const auto* b = std::get_if<SqlBytes>(&value)) {
    // data() of a std::string is never null: an empty blob, not NULL.
    rc = sqlite3_bind_blob64(stmt_, index, b->bytes.data(), b->bytes.size(), SQLITE_TRANSIENT);
  } else {
    rc = sqlite3_bind_null(stmt_, index);
  }
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Result<bool> Statement::Step() {
  if (bind_rc_ != SQLITE_OK) return SqliteError(bind_rc_, nullptr, purpose_ + " (bind)");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(rc, sqlite3_db_handle(stmt_), purpose_);
}

Status Statement::Run() {
  return ForEachRow([] { return Status::Ok(); });
}

Status Statement::ForEachRow(const std::function<Status()>& on_row) {
  for (;;) {
    Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    CAMPAIGND_RETURN_IF_ERROR(on_row());
  }
}

int64_t Statement::ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), sqlite3_column_bytes(stmt_, column));
}

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

bool Statement::ColumnIsInt(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_INTEGER;
}

}  // namespace campaignd::store::sqlite
