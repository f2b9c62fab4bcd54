#include "store/sqlite/sqlite_copy.h"

namespace campaignd::store::sqlite {
namespace {

std::string ColumnList(const CopyTable& table) {
  std::string list;
  for (const CopyColumn& column : table.columns) {
    if (!list.empty()) list += ", ";
    list += column.name;
  }
  return list;
}

class CopyReader final : public TableReader {
 public:
  explicit CopyReader(Database& db) : db_(db) {}

  Status ReadRows(const CopyTable& table,
                  const std::function<Status(const CopyRow&)>& on_row) override {
    Result<Statement> query = db_.Prepare("SELECT " + ColumnList(table) + " FROM " +
                                              std::string(table.name) + " ORDER BY " +
                                              std::string(table.order_by),
                                          "read " + std::string(table.name));
    if (!query.ok()) return query.status();
    CopyRow row(table.columns.size());
    return query->ForEachRow([&] {
      for (std::size_t i = 0; i < row.size(); ++i) {
        const int column = static_cast<int>(i);
        row[i] = CopyValue{};
        row[i].is_null = query->ColumnIsNull(column);
        if (row[i].is_null) continue;
        switch (table.columns[i].kind) {
          case ColumnKind::kInt:
            row[i].number = query->ColumnInt(column);
            break;
          case ColumnKind::kText:
            row[i].bytes = query->ColumnText(column);
            break;
          case ColumnKind::kBytes:
            row[i].bytes = query->ColumnBlob(column);
            break;
        }
      }
      return on_row(row);
    });
  }

  Result<int64_t> MailIdHighWater() override {
    Result<Statement> query = db_.Prepare(
        "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'mails'), 0)",
        "read mail id sequence");
    if (!query.ok()) return query.status();
    Result<bool> row = query->Step();
    if (!row.ok()) return row.status();
    return query->ColumnInt(0);
  }

 private:
  Database& db_;
};

class CopyWriter final : public TableWriter {
 public:
  explicit CopyWriter(Database& db) : db_(db) {}

  Result<int64_t> CountRows(const CopyTable& table) override {
    Result<Statement> query =
        db_.Prepare("SELECT count(*) FROM " + std::string(table.name), "count rows");
    if (!query.ok()) return query.status();
    Result<bool> row = query->Step();
    if (!row.ok()) return row.status();
    return query->ColumnInt(0);
  }

  Status InsertRows(const CopyTable& table, std::span<const CopyRow> rows) override {
    std::string sql = "INSERT INTO " + std::string(table.name) + " (" + ColumnList(table) +
                      ") VALUES (";
    for (std::size_t i = 0; i < table.columns.size(); ++i) sql += i == 0 ? "?" : ", ?";
    sql += ")";
    for (const CopyRow& row : rows) {
      Result<Statement> insert = db_.Prepare(sql, "insert into " + std::string(table.name));
      if (!insert.ok()) return insert.status();
      for (std::size_t i = 0; i < row.size(); ++i) {
        const int index = static_cast<int>(i) + 1;
        if (row[i].is_null) {
          insert->BindNull(index);
        } else if (table.columns[i].kind == ColumnKind::kInt) {
          insert->BindInt(index, row[i].number);
        } else if (table.columns[i].kind == ColumnKind::kText) {
          insert->BindText(index, row[i].bytes);
        } else {
          insert->BindBlob(index, row[i].bytes);
        }
      }
      CAMPAIGND_RETURN_IF_ERROR(insert->Run());
    }
    return Status::Ok();
  }

  // mail_events ids (INTEGER PRIMARY KEY) continue after the highest row;
  // mails (AUTOINCREMENT) after sqlite_sequence, which inserts raised.
  Status FinishSequences(int64_t high_water) override {
    Result<Statement> update = db_.Prepare(
        "UPDATE sqlite_sequence SET seq = max(seq, ?1) WHERE name = 'mails'",
        "set mail id sequence");
    if (!update.ok()) return update.status();
    CAMPAIGND_RETURN_IF_ERROR(update->BindInt(1, high_water).Run());
    if (db_.Changes() > 0 || high_water == 0) return Status::Ok();
    Result<Statement> insert = db_.Prepare(
        "INSERT INTO sqlite_sequence (name, seq) VALUES ('mails', ?1)", "set mail id sequence");
    if (!insert.ok()) return insert.status();
    return insert->BindInt(1, high_water).Run();
  }

 private:
  Database& db_;
};

}  // namespace

Status SqliteCopyEndpoint::ReadSnapshot(const std::function<Status(TableReader&)>& read) {
  Result<ReadPool::Lease> db = engine_->readers().Checkout();
  if (!db.ok()) return db.status();
  ReadTransaction snapshot(**db);
  CAMPAIGND_RETURN_IF_ERROR(snapshot.status());
  CopyReader reader(**db);
  return read(reader);
}

Status SqliteCopyEndpoint::WriteTransaction(const std::function<Status(TableWriter&)>& write) {
  return engine_->writer().Submit([&](Database& db) -> Status {
    CopyWriter writer(db);
    return write(writer);
  });
}

}  // namespace campaignd::store::sqlite
