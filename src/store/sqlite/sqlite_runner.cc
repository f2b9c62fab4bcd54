#include "store/sqlite/sqlite_runner.h"

#include <cctype>
#include <charconv>

namespace campaignd::store::sqlite {
namespace {

// Every $N placeholder of `sql` written ?N.
void RewritePlaceholders(std::string& sql) {
  for (std::size_t i = 0; i + 1 < sql.size(); ++i) {
    if (sql[i] == '$' && std::isdigit(static_cast<unsigned char>(sql[i + 1]))) sql[i] = '?';
  }
}

class SqliteSession final : public SqlSession {
 public:
  explicit SqliteSession(Database& db) : db_(db) {}

  Result<std::vector<SqlRow>> Query(std::string_view sql, std::span<const SqlValue> params,
                                    int columns, std::string_view purpose) override {
    Result<Statement> statement = Prepared(sql, params, purpose);
    if (!statement.ok()) return statement.status();
    std::vector<SqlRow> rows;
    CAMPAIGND_RETURN_IF_ERROR(statement->ForEachRow([&] {
      SqlRow& row = rows.emplace_back();
      row.reserve(static_cast<std::size_t>(columns));
      for (int c = 0; c < columns; ++c) {
        if (statement->ColumnIsNull(c)) {
          row.emplace_back(std::nullopt);
        } else if (statement->ColumnIsInt(c)) {
          // Formatted here: SQLite's own conversion allocates per cell.
          char digits[24];
          const auto end = std::to_chars(digits, digits + sizeof digits, statement->ColumnInt(c));
          row.emplace_back(std::string(digits, end.ptr));
        } else {
          row.emplace_back(statement->ColumnText(c));
        }
      }
      return Status::Ok();
    }));
    return rows;
  }

  Result<int64_t> Execute(std::string_view sql, std::span<const SqlValue> params,
                          std::string_view purpose) override {
    Result<Statement> statement = Prepared(sql, params, purpose);
    if (!statement.ok()) return statement.status();
    CAMPAIGND_RETURN_IF_ERROR(statement->Run());
    return db_.Changes();
  }

  // The writer runs one write at a time: every write holds every key.
  Status LockKey(std::string_view /*key*/) override { return Status::Ok(); }
  // One delivering process, woken in-process (local_coordination.h).
  Status AnnounceMail() override { return Status::Ok(); }

 private:
  Result<Statement> Prepared(std::string_view sql, std::span<const SqlValue> params,
                             std::string_view purpose) {
    // Rewritten into a per-thread buffer: a cached statement (database.h)
    // is then found without allocating.
    thread_local std::string text;
    text.assign(sql);
    RewritePlaceholders(text);
    Result<Statement> statement = db_.Prepare(text, purpose);
    if (!statement.ok()) return statement.status();
    int index = 1;
    for (const SqlValue& value : params) statement->Bind(index++, value);
    return statement;
  }

  Database& db_;
};

}  // namespace

std::unique_ptr<SqlSession> SessionOn(Database& db) { return std::make_unique<SqliteSession>(db); }

Status SqliteRunner::Read(const Work& work) {
  Result<ReadPool::Lease> db = readers_.Checkout();
  if (!db.ok()) return db.status();
  // One snapshot for the whole work; its COMMIT ends the snapshot only.
  CAMPAIGND_RETURN_IF_ERROR((*db)->Exec("BEGIN", "begin read snapshot"));
  SqliteSession session(**db);
  Status status = work(session);
  if ((*db)->InTransaction()) (*db)->Exec("COMMIT", "end read snapshot");
  return status;
}

Result<std::vector<SqlRow>> SqliteRunner::Query(std::string_view sql,
                                                std::span<const SqlValue> params, int columns,
                                                std::string_view purpose) {
  Result<ReadPool::Lease> db = readers_.Checkout();
  if (!db.ok()) return db.status();
  return SqliteSession(**db).Query(sql, params, columns, purpose);
}

Status SqliteRunner::Write(const Work& work) {
  return writer_.Submit([&](Database& db) -> Status {
    SqliteSession session(db);
    return work(session);
  });
}

Result<int64_t> SqliteRunner::Execute(std::string_view sql, std::span<const SqlValue> params,
                                      std::string_view purpose) {
  int64_t changed = 0;
  CAMPAIGND_RETURN_IF_ERROR(writer_.Submit([&](Database& db) -> Status {
    Result<int64_t> rows = SqliteSession(db).Execute(sql, params, purpose);
    if (!rows.ok()) return rows.status();
    changed = *rows;
    return Status::Ok();
  }));
  return changed;
}

void SqliteRunner::WriteAsync(Work work, Writer::Done done) {
  writer_.SubmitAsync(
      [work = std::move(work)](Database& db) -> Status {
        SqliteSession session(db);
        return work(session);
      },
      std::move(done));
}

}  // namespace campaignd::store::sqlite
