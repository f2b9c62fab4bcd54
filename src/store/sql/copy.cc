#include "store/copy.h"

#include <algorithm>
#include <filesystem>
#include <span>
#include <string>

namespace campaignd::store {
namespace {

constexpr ColumnKind I = ColumnKind::kInt;
constexpr ColumnKind T = ColumnKind::kText;
constexpr ColumnKind B = ColumnKind::kBytes;

// Rows read per statement (one page of a table, inserted as read).
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

// Cell `i` of a row read from `table` as the value to bind.
Result<SqlValue> ToSql(const CopyTable& table, const SqlRow& row, std::size_t i) {
  if (!row[i]) return SqlValue();
  switch (table.columns[i].kind) {
    case ColumnKind::kInt: {
      Result<int64_t> number = CellInt(row, static_cast<int>(i));
      if (!number.ok()) return number.status();
      return SqlValue(*number);
    }
    case ColumnKind::kText:
      return SqlValue(*row[i]);
    case ColumnKind::kBytes:
      return SqlValue(SqlBytes{*row[i]});
  }
  return SqlValue();
}

// One multi-row INSERT of `rows`.
Status InsertSome(SqlSession& to, const CopyTable& table, std::span<const SqlRow> rows) {
  const std::size_t columns = table.columns.size();
  std::string sql =
      "INSERT INTO " + std::string(table.name) + " (" + ColumnList(table) + ") VALUES ";
  std::vector<SqlValue> params;
  params.reserve(rows.size() * columns);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    sql += (r == 0 ? "(" : ", (") + Placeholders(r * columns + 1, columns) + ")";
    for (std::size_t c = 0; c < columns; ++c) {
      Result<SqlValue> value = ToSql(table, rows[r], c);
      if (!value.ok()) return value.status();
      params.push_back(std::move(*value));
    }
  }
  return to.Execute(sql, params, "insert into " + std::string(table.name)).status();
}

// Copies one table, a page at a time in `order_by` order; returns its row
// count (and the highest id of `mails`).
Result<int64_t> CopyTableRows(const CopyTable& table, SqlSession& from, SqlSession& to,
                              int64_t& max_mail_id) {
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
  const std::size_t per_insert = std::max<std::size_t>(1, kMaxParams / table.columns.size());
  std::vector<SqlValue> after;  // the last row's key; empty on the first page
  int64_t count = 0;
  for (;;) {
    Result<std::vector<SqlRow>> page =
        from.Query(after.empty() ? first : next, after, columns, purpose);
    if (!page.ok()) return page.status();
    if (page->empty()) return count;
    if (table.name == "mails") {
      Result<int64_t> last_id = CellInt(page->back(), 0);  // ordered by id
      if (!last_id.ok()) return last_id.status();
      max_mail_id = std::max(max_mail_id, *last_id);
    }
    for (std::span<const SqlRow> rows(*page); !rows.empty();) {
      const std::size_t n = std::min(rows.size(), per_insert);
      CAMPAIGND_RETURN_IF_ERROR(InsertSome(to, table, rows.first(n)));
      rows = rows.subspan(n);
    }
    count += static_cast<int64_t>(page->size());
    if (page->size() < kPageRows) return count;
    after.clear();
    for (std::size_t key : *keys) {
      Result<SqlValue> value = ToSql(table, page->back(), key);
      if (!value.ok()) return value.status();
      after.push_back(std::move(*value));
    }
  }
}

Result<int64_t> ReadInt(SqlSession& session, std::string_view sql, std::string_view purpose) {
  Result<std::vector<SqlRow>> rows = session.Query(sql, {}, 1, purpose);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return int64_t{0};
  return CellInt(rows->front(), 0);
}

Status CheckEmpty(SqlSession& to) {
  for (const CopyTable& table : CopyTables()) {
    Result<int64_t> rows =
        ReadInt(to, "SELECT count(*) FROM " + std::string(table.name), "count rows");
    if (!rows.ok()) return rows.status();
    if (*rows > 0) {
      return Status::InvalidArgument("the target database is not empty (table " +
                                     std::string(table.name) + " has " + std::to_string(*rows) +
                                     " rows); copy-db only fills an empty database");
    }
  }
  return Status::Ok();
}

Result<CopyReport> Copy(const CopyEndpoint& from, const CopyEndpoint& to) {
  CopyReport report;
  Status status = to.engine->runner().Write([&](SqlSession& writer) -> Status {
    CAMPAIGND_RETURN_IF_ERROR(CheckEmpty(writer));
    return from.engine->runner().Read([&](SqlSession& reader) -> Status {
      int64_t max_mail_id = 0;
      for (const CopyTable& table : CopyTables()) {
        Result<int64_t> rows = CopyTableRows(table, reader, writer, max_mail_id);
        if (!rows.ok()) return rows.status().WithContext("copy table " + std::string(table.name));
        report.rows.emplace_back(table.name, *rows);
      }
      Result<int64_t> high_water =
          ReadInt(reader, from.sequences->high_water, "read mail id sequence");
      if (!high_water.ok()) return high_water.status();
      report.mail_id_high_water = std::max(*high_water, max_mail_id);
      const SqlValue params[] = {report.mail_id_high_water};
      for (std::string_view sql : to.sequences->finish) {
        CAMPAIGND_RETURN_IF_ERROR(writer.Execute(sql, params, "set id sequences").status());
      }
      return Status::Ok();
    });
  });
  if (!status.ok()) return status;
  return report;
}

}  // namespace

const std::vector<CopyTable>& CopyTables() {
  static const std::vector<CopyTable> kTables = {
      {"clients",
       {{"id", I}, {"name", T}, {"transport", T}, {"redirect_hosts", T}, {"bounce_limit", I},
        {"rate_limit", I}, {"mail_id_secret", B}, {"attachments", I}},
       "id"},
      {"dkim_keys",
       {{"client_id", I}, {"domain", T}, {"selector", T}, {"algorithm", T},
        {"private_key_pem", T}},
       "client_id, domain, selector"},
      {"lists",
       {{"client_id", I}, {"id", I}, {"name", T}, {"kind", T}, {"test", I}},
       "client_id, id"},
      {"list_fields",
       {{"client_id", I}, {"list_id", I}, {"position", I}, {"name", T}, {"type", T}},
       "client_id, list_id, name"},
      {"recipients",
       {{"client_id", I}, {"list_id", I}, {"recipient_id", T}, {"fields", T}, {"state", T},
        {"tracking_opt_out", I}, {"optin_id", I}, {"optin_at", I}, {"optin_source", T}},
       "client_id, list_id, recipient_id"},
      {"mailings",
       {{"client_id", I}, {"id", I}, {"name", T}, {"type", T}, {"status", T},
        {"target_group", T}, {"from_address", T}, {"reply_to", T}, {"subject", T},
        {"text_body", T}, {"html_body", T}},
       "client_id, id"},
      {"mailing_lists",
       {{"client_id", I}, {"mailing_id", I}, {"list_id", I}},
       "client_id, mailing_id, list_id"},
      {"codes",
       {{"client_id", I}, {"name", T}, {"code_hash", T}, {"list_id", I}, {"operations", T},
        {"ips", T}, {"methods", T}, {"protocols", T}, {"redirect_hosts", T}, {"enabled", I}},
       "client_id, name"},
      {"api_keys",
       {{"client_id", I}, {"id", I}, {"name", T}, {"key_hash", T}, {"created_at", I}},
       "client_id, id"},
      {"blocklist",
       {{"client_id", I}, {"pattern", T}, {"reason", T}, {"is_wildcard", I}},
       "client_id, pattern"},
      {"unsubscribes",
       {{"client_id", I}, {"address", T}, {"mail_id", I}, {"mailing_id", I}, {"at", I}},
       "client_id, address"},
      {"optin_processes",
       {{"client_id", I}, {"id", I}, {"name", T}, {"kind", T}, {"mailing_id", I},
        {"confirmation_url", T}},
       "client_id, id"},
      {"bounces", {{"client_id", I}, {"address", T}, {"hard_bounces", I}}, "client_id, address"},
      {"mails",
       {{"id", I}, {"client_id", I}, {"list_id", I}, {"mailing_id", I}, {"recipient_id", T},
        {"fields", T}, {"status", T}, {"attempts", I}, {"created_at", I}, {"updated_at", I},
        {"next_attempt_at", I}, {"lease_owner", T}, {"lease_until", I}, {"last_reply", T}},
       "id"},
      {"mail_events",
       {{"id", I}, {"mail_id", I}, {"at", I}, {"status", T}, {"reply", T}},
       "id"},
      {"uploads",
       {{"client_id", I}, {"token_hash", T}, {"created_at", I}, {"expires_at", I}},
       "client_id, token_hash"},
      {"upload_files",
       {{"client_id", I}, {"token_hash", T}, {"position", I}, {"file_name", T},
        {"content_type", T}, {"data", B}},
       "client_id, token_hash, position"},
  };
  return kTables;
}

Result<CopyReport> CopyDatabase(std::string_view from_url, std::string_view to_url) {
  if (from_url == to_url) {
    return Status::InvalidArgument("copy-db: --from and --to name the same database");
  }
  // Opening a SQLite file creates it: a mistyped source would "copy" an
  // empty installation. The source must exist.
  constexpr std::string_view kSqlite = "sqlite:";
  if (from_url.starts_with(kSqlite) && from_url != "sqlite::memory:" &&
      !std::filesystem::exists(std::filesystem::path(from_url.substr(kSqlite.size())))) {
    return Status::InvalidArgument("copy-db: source " + std::string(from_url) +
                                   " does not exist");
  }
  Result<CopyEndpoint> from = OpenCopyEndpoint(from_url);
  if (!from.ok()) return from.status().WithContext("source");
  Result<CopyEndpoint> to = OpenCopyEndpoint(to_url);
  if (!to.ok()) return to.status().WithContext("target");
  return Copy(*from, *to);
}

}  // namespace campaignd::store
