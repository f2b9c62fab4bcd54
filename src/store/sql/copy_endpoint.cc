#include "store/sql/copy_endpoint.h"

#include <algorithm>
#include <string>

namespace campaignd::store {
namespace {

// Rows read per statement (one page of a table).
constexpr std::size_t kPageRows = 1000;
// Parameters per INSERT: SQLite's default limit (SQLITE_MAX_VARIABLE_NUMBER
// since 3.32); PostgreSQL's is 65535.
constexpr std::size_t kMaxParams = 32766;

std::string ColumnList(const CopyTable& table) {
  std::string list;
  for (const CopyColumn& column : table.columns) {
    if (!list.empty()) list += ", ";
    list += column.name;
  }
  return list;
}

// "$first, $first+1, ..." for `count` parameters.
std::string Placeholders(std::size_t first, std::size_t count) {
  std::string list;
  for (std::size_t i = 0; i < count; ++i)
    list += (i == 0 ? "$" : ", $") + std::to_string(first + i);
  return list;
}

// The positions in table.columns of the order_by columns.
Result<std::vector<std::size_t>> KeyColumns(const CopyTable& table) {
  std::vector<std::size_t> keys;
  std::string_view rest = table.order_by;
  while (!rest.empty()) {
    const std::size_t comma = std::min(rest.find(','), rest.size());
    std::string_view name = rest.substr(0, comma);
    while (name.starts_with(' ')) name.remove_prefix(1);
    rest.remove_prefix(std::min(comma + 1, rest.size()));
    auto it = std::find_if(table.columns.begin(), table.columns.end(),
                           [&](const CopyColumn& c) { return c.name == name; });
    if (it == table.columns.end()) {
      return Status::Internal("copy " + std::string(table.name) + ": order column " +
                              std::string(name) + " is not copied");
    }
    keys.push_back(static_cast<std::size_t>(it - table.columns.begin()));
  }
  return keys;
}

SqlValue ToSql(const CopyValue& value, ColumnKind kind) {
  if (value.is_null) return std::monostate{};
  switch (kind) {
    case ColumnKind::kInt:
      return value.number;
    case ColumnKind::kText:
      return value.bytes;
    case ColumnKind::kBytes:
      return SqlBytes{value.bytes};
  }
  return std::monostate{};
}

Status FromSql(const SqlRow& cells, const CopyTable& table, CopyRow& row) {
  for (std::size_t i = 0; i < row.size(); ++i) {
    row[i] = CopyValue{};
    const std::optional<std::string>& cell = cells[i];
    row[i].is_null = !cell;
    if (!cell) continue;
    if (table.columns[i].kind != ColumnKind::kInt) {
      row[i].bytes = *cell;
      continue;
    }
    Result<int64_t> number = CellInt(cells, static_cast<int>(i));
    if (!number.ok()) return number.status();
    row[i].number = *number;
  }
  return Status::Ok();
}

class Reader final : public TableReader {
 public:
  Reader(SqlSession& session, const CopySequences& sequences)
      : session_(session), sequences_(sequences) {}

  Status ReadRows(const CopyTable& table,
                  const std::function<Status(const CopyRow&)>& on_row) override {
    Result<std::vector<std::size_t>> keys = KeyColumns(table);
    if (!keys.ok()) return keys.status();
    const std::string select = "SELECT " + ColumnList(table) + " FROM " + std::string(table.name);
    const std::string order =
        " ORDER BY " + std::string(table.order_by) + " LIMIT " + std::to_string(kPageRows);
    const std::string first = select + order;
    const std::string next = select + " WHERE (" + std::string(table.order_by) + ") > (" +
                             Placeholders(1, keys->size()) + ")" + order;
    const std::string purpose = "read " + std::string(table.name);
    const int columns = static_cast<int>(table.columns.size());
    std::vector<SqlValue> after;  // the last row's key; empty on the first page
    CopyRow row(table.columns.size());
    for (;;) {
      Result<std::vector<SqlRow>> page =
          session_.Query(after.empty() ? first : next, after, columns, purpose);
      if (!page.ok()) return page.status();
      for (const SqlRow& cells : *page) {
        CAMPAIGND_RETURN_IF_ERROR(FromSql(cells, table, row));
        CAMPAIGND_RETURN_IF_ERROR(on_row(row));
      }
      if (page->size() < kPageRows) return Status::Ok();
      after.clear();
      for (std::size_t key : *keys) after.push_back(ToSql(row[key], table.columns[key].kind));
    }
  }

  Result<int64_t> MailIdHighWater() override {
    Result<std::vector<SqlRow>> rows =
        session_.Query(sequences_.high_water, {}, 1, "read mail id sequence");
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return int64_t{0};
    return CellInt(rows->front(), 0);
  }

 private:
  SqlSession& session_;
  const CopySequences& sequences_;
};

class Writer final : public TableWriter {
 public:
  Writer(SqlSession& session, const CopySequences& sequences)
      : session_(session), sequences_(sequences) {}

  Result<int64_t> CountRows(const CopyTable& table) override {
    Result<std::vector<SqlRow>> rows =
        session_.Query("SELECT count(*) FROM " + std::string(table.name), {}, 1, "count rows");
    if (!rows.ok()) return rows.status();
    return CellInt(rows->front(), 0);
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

  Status FinishSequences(int64_t high_water) override {
    const SqlValue params[] = {high_water};
    for (std::string_view sql : sequences_.finish) {
      Result<int64_t> done = session_.Execute(sql, params, "set id sequences");
      if (!done.ok()) return done.status();
    }
    return Status::Ok();
  }

 private:
  Status InsertSome(const CopyTable& table, std::span<const CopyRow> rows) {
    const std::size_t columns = table.columns.size();
    std::string sql =
        "INSERT INTO " + std::string(table.name) + " (" + ColumnList(table) + ") VALUES ";
    std::vector<SqlValue> params;
    params.reserve(rows.size() * columns);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      sql += (r == 0 ? "(" : ", (") + Placeholders(r * columns + 1, columns) + ")";
      for (std::size_t c = 0; c < columns; ++c) {
        params.push_back(ToSql(rows[r][c], table.columns[c].kind));
      }
    }
    return session_.Execute(sql, params, "insert into " + std::string(table.name)).status();
  }

  SqlSession& session_;
  const CopySequences& sequences_;
};

}  // namespace

Status SqlCopyEndpoint::ReadSnapshot(const std::function<Status(TableReader&)>& read) {
  return runner_.Read([&](SqlSession& session) -> Status {
    Reader reader(session, sequences_);
    return read(reader);
  });
}

Status SqlCopyEndpoint::WriteTransaction(const std::function<Status(TableWriter&)>& write) {
  return runner_.Write([&](SqlSession& session) -> Status {
    Writer writer(session, sequences_);
    return write(writer);
  });
}

}  // namespace campaignd::store
