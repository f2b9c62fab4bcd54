#include "store/postgres/pg_copy.h"

#include <algorithm>

namespace campaignd::store::postgres {
namespace {

// Rows fetched from a cursor at a time.
constexpr int kFetchRows = 1000;
// PostgreSQL allows 65535 parameters per statement.
constexpr std::size_t kMaxParams = 60000;

std::string ColumnList(const CopyTable& table) {
  std::string list;
  for (const CopyColumn& column : table.columns) {
    if (!list.empty()) list += ", ";
    list += column.name;
  }
  return list;
}

CopyValue ReadValue(const PgResult& rows, int row, int column, ColumnKind kind) {
  CopyValue value;
  value.is_null = rows.IsNull(row, column);
  if (value.is_null) return value;
  switch (kind) {
    case ColumnKind::kInt:
      value.number = rows.Int(row, column);
      break;
    case ColumnKind::kText:
      value.bytes = rows.Text(row, column);
      break;
    case ColumnKind::kBytes:
      value.bytes = rows.Bytes(row, column);
      break;
  }
  return value;
}

class Reader final : public TableReader {
 public:
  explicit Reader(Connection& conn) : conn_(conn) {}

  Status ReadRows(const CopyTable& table,
                  const std::function<Status(const CopyRow&)>& on_row) override {
    const std::string cursor = "copy_" + std::string(table.name);
    CAMPAIGND_RETURN_IF_ERROR(conn_.Exec("DECLARE " + cursor + " NO SCROLL CURSOR FOR SELECT " +
                                             ColumnList(table) + " FROM " +
                                             std::string(table.name) + " ORDER BY " +
                                             std::string(table.order_by),
                                         "read " + std::string(table.name)));
    const std::string fetch = "FETCH " + std::to_string(kFetchRows) + " FROM " + cursor;
    CopyRow row(table.columns.size());
    for (;;) {
      Result<PgResult> rows = conn_.Query(fetch, Params(), "read " + std::string(table.name));
      if (!rows.ok()) return rows.status();
      for (int r = 0; r < rows->rows(); ++r) {
        for (std::size_t c = 0; c < row.size(); ++c) {
          row[c] = ReadValue(*rows, r, static_cast<int>(c), table.columns[c].kind);
        }
        CAMPAIGND_RETURN_IF_ERROR(on_row(row));
      }
      if (rows->rows() < kFetchRows) break;
    }
    return conn_.Exec("CLOSE " + cursor, "read " + std::string(table.name));
  }

  Result<int64_t> MailIdHighWater() override {
    Result<PgResult> rows = conn_.Query(
        "SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('mails', 'id')::regclass),"
        " 0)",
        Params(), "read mail id sequence");
    if (!rows.ok()) return rows.status();
    return rows->Int(0, 0);
  }

 private:
  Connection& conn_;
};

class Writer final : public TableWriter {
 public:
  explicit Writer(Connection& conn) : conn_(conn) {}

  Result<int64_t> CountRows(const CopyTable& table) override {
    Result<PgResult> rows =
        conn_.Query("SELECT count(*) FROM " + std::string(table.name), Params(), "count rows");
    if (!rows.ok()) return rows.status();
    return rows->Int(0, 0);
  }

  Status InsertRows(const CopyTable& table, std::span<const CopyRow> rows) override {
    const std::size_t per_statement = std::max<std::size_t>(1, kMaxParams / table.columns.size());
    while (!rows.empty()) {
      const std::size_t n = std::min(rows.size(), per_statement);
      CAMPAIGND_RETURN_IF_ERROR(InsertSome(table, rows.first(n)));
      rows = rows.subspan(n);
    }
    return Status::Ok();
  }

  // Both identity sequences continue after the copied rows; mails' also
  // after every ID the source ever handed out.
  Status FinishSequences(int64_t high_water) override {
    return conn_
        .Query("SELECT setval(pg_get_serial_sequence('mails', 'id'),"
               "              greatest($1, (SELECT max(id) FROM mails), 1), $1 > 0 OR"
               "              EXISTS (SELECT 1 FROM mails)),"
               "       setval(pg_get_serial_sequence('mail_events', 'id'),"
               "              coalesce((SELECT max(id) FROM mail_events), 1),"
               "              EXISTS (SELECT 1 FROM mail_events))",
               Params().Int(high_water), "set id sequences")
        .status();
  }

 private:
  Status InsertSome(const CopyTable& table, std::span<const CopyRow> rows) {
    std::string sql = "INSERT INTO " + std::string(table.name) + " (" + ColumnList(table) +
                      ") VALUES ";
    Params params;
    int index = 0;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      sql += r == 0 ? "(" : ", (";
      for (std::size_t c = 0; c < table.columns.size(); ++c) {
        sql += (c == 0 ? "$" : ", $") + std::to_string(++index);
        const CopyValue& value = rows[r][c];
        if (value.is_null) {
          params.Null();
        } else if (table.columns[c].kind == ColumnKind::kInt) {
          params.Int(value.number);
        } else if (table.columns[c].kind == ColumnKind::kText) {
          params.Text(value.bytes);
        } else {
          params.Bytes(value.bytes);
        }
      }
      sql += ")";
    }
    return conn_.Query(sql, params, "insert into " + std::string(table.name)).status();
  }

  Connection& conn_;
};

}  // namespace

Status PgCopyEndpoint::ReadSnapshot(const std::function<Status(TableReader&)>& read) {
  Result<Pool::Lease> conn = engine_->pool().Checkout();
  if (!conn.ok()) return conn.status();
  Transaction snapshot(**conn, "copy-db read",
                       "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
  CAMPAIGND_RETURN_IF_ERROR(snapshot.status());
  Reader reader(**conn);
  CAMPAIGND_RETURN_IF_ERROR(read(reader));
  return snapshot.Commit();
}

Status PgCopyEndpoint::WriteTransaction(const std::function<Status(TableWriter&)>& write) {
  Result<Pool::Lease> conn = engine_->pool().Checkout();
  if (!conn.ok()) return conn.status();
  Transaction transaction(**conn, "copy-db write");
  CAMPAIGND_RETURN_IF_ERROR(transaction.status());
  Writer writer(**conn);
  CAMPAIGND_RETURN_IF_ERROR(write(writer));
  return transaction.Commit();
}

}  // namespace campaignd::store::postgres
