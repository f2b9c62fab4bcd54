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

// The names of the first `count` columns of `table`, comma-separated.
std::string ColumnList(const CopyTable& table, std::size_t count) {
  std::string list;
  for (std::size_t i = 0; i < count; ++i) {
    list += (i == 0 ? "" : ", ") + std::string(table.columns[i].name);
  }
  return list;
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
  const std::string sql = "INSERT INTO " + std::string(table.name) + " (" +
                          ColumnList(table, columns) + ") VALUES " +
                          PlaceholderRows(rows.size(), columns);
  std::vector<SqlValue> params;
  params.reserve(rows.size() * columns);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < columns; ++c) {
      Result<SqlValue> value = ToSql(table, rows[r], c);
      if (!value.ok()) return value.status();
      params.push_back(std::move(*value));
    }
  }
  return to.Execute(sql, params, "insert into " + std::string(table.name)).status();
}

// Copies one table, a page at a time in primary key order; returns its row
// count.
Result<int64_t> CopyTableRows(const CopyTable& table, SqlSession& from, SqlSession& to) {
  const std::string key = ColumnList(table, table.keys);
  const std::string select =
      "SELECT " + ColumnList(table, table.columns.size()) + " FROM " + std::string(table.name);
  const std::string order = " ORDER BY " + key + " LIMIT " + std::to_string(kPageRows);
  const std::string first = select + order;
  const std::string next =
      select + " WHERE (" + key + ") > (" + Placeholders(1, table.keys) + ")" + order;
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
    for (std::span<const SqlRow> rows(*page); !rows.empty();) {
      const std::size_t n = std::min(rows.size(), per_insert);
      CAMPAIGND_RETURN_IF_ERROR(InsertSome(to, table, rows.first(n)));
      rows = rows.subspan(n);
    }
    count += static_cast<int64_t>(page->size());
    if (page->size() < kPageRows) return count;
    after.clear();
    for (std::size_t k = 0; k < table.keys; ++k) {
      Result<SqlValue> value = ToSql(table, page->back(), k);
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
      for (const CopyTable& table : CopyTables()) {
        Result<int64_t> rows = CopyTableRows(table, reader, writer);
        if (!rows.ok()) return rows.status().WithContext("copy table " + std::string(table.name));
        report.rows.emplace_back(table.name, *rows);
      }
      Result<int64_t> high_water =
          ReadInt(reader, from.sequences->high_water, "read mail id sequence");
      if (!high_water.ok()) return high_water.status();
      Result<int64_t> max_mail_id =
          ReadInt(reader, "SELECT COALESCE(MAX(id), 0) FROM mails", "read mail ids");
      if (!max_mail_id.ok()) return max_mail_id.status();
      report.mail_id_high_water = std::max(*high_water, *max_mail_id);
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
  // clang-format off
  static const std::vector<CopyTable> kTables = {
      {"clients", 1, {{"id", I}, {"name", T}, {"transport", T}, {"redirect_hosts", T},
        {"bounce_limit", I}, {"rate_limit", I}, {"mail_id_secret", B}, {"attachments", I},
        {"bounce_domain", T}, {"bounce_local", T}, {"complaint_address", T}}},
      {"dkim_keys", 3, {{"client_id", I}, {"domain", T}, {"selector", T}, {"algorithm", T},
        {"private_key_pem", T}}},
      {"lists", 2, {{"client_id", I}, {"id", I}, {"name", T}, {"kind", T}, {"test", I}}},
      {"list_fields", 3, {{"client_id", I}, {"list_id", I}, {"name", T}, {"position", I},
        {"type", T}}},
      {"recipients", 3, {{"client_id", I}, {"list_id", I}, {"recipient_id", T}, {"fields", T},
        {"state", T}, {"tracking_opt_out", I}, {"optin_id", I}, {"optin_at", I},
        {"optin_source", T}}},
      {"mailings", 2, {{"client_id", I}, {"id", I}, {"name", T}, {"type", T}, {"status", T},
        {"target_group", T}, {"from_address", T}, {"reply_to", T}, {"subject", T}, {"text_body", T},
        {"html_body", T}, {"tracking", T}}},
      {"mailing_lists", 3, {{"client_id", I}, {"mailing_id", I}, {"list_id", I}}},
      {"codes", 2, {{"client_id", I}, {"name", T}, {"code_hash", T}, {"list_id", I},
        {"operations", T}, {"ips", T}, {"methods", T}, {"protocols", T}, {"redirect_hosts", T},
        {"enabled", I}}},
      {"api_keys", 2, {{"client_id", I}, {"id", I}, {"name", T}, {"key_hash", T},
        {"created_at", I}}},
      {"blocklist", 2, {{"client_id", I}, {"pattern", T}, {"reason", T}, {"is_wildcard", I}}},
      {"unsubscribes", 2, {{"client_id", I}, {"address", T}, {"mail_id", I}, {"mailing_id", I},
        {"at", I}}},
      {"optin_processes", 2, {{"client_id", I}, {"id", I}, {"name", T}, {"kind", T},
        {"mailing_id", I}, {"confirmation_url", T}}},
      {"bounces", 2, {{"client_id", I}, {"address", T}, {"hard_bounces", I}}},
      {"mails", 1, {{"id", I}, {"client_id", I}, {"list_id", I}, {"mailing_id", I},
        {"recipient_id", T}, {"fields", T}, {"status", T}, {"attempts", I}, {"created_at", I},
        {"updated_at", I}, {"next_attempt_at", I}, {"lease_owner", T}, {"lease_until", I},
        {"last_reply", T}}},
      {"mail_events", 1, {{"id", I}, {"mail_id", I}, {"at", I}, {"status", T}, {"reply", T}}},
      {"uploads", 2, {{"client_id", I}, {"token_hash", T}, {"created_at", I}, {"expires_at", I}}},
      {"upload_files", 3, {{"client_id", I}, {"token_hash", T}, {"position", I}, {"file_name", T},
        {"content_type", T}, {"data", B}}},
      {"events", 1, {{"id", I}, {"client_id", I}, {"type", T}, {"at", I}, {"mail_seq", I},
        {"mailing_id", I}, {"list_id", I}, {"recipient_id", T}, {"address", T}, {"data", T}}},
      {"webhooks", 2, {{"client_id", I}, {"id", I}, {"url", T}, {"types", T}, {"auth", T},
        {"auth_name", T}, {"auth_secret", T}, {"signing_secret", B}, {"state", T},
        {"created_at", I}, {"failing_since", I}, {"attempts", I}, {"next_attempt_at", I},
        {"lease_owner", T}, {"lease_until", I}}},
      {"webhook_outbox", 3, {{"client_id", I}, {"webhook_id", I}, {"event_id", I}}},
      {"webhook_attempts", 1, {{"id", I}, {"client_id", I}, {"webhook_id", I}, {"at", I},
        {"first_event_id", I}, {"events", I}, {"http_status", I}, {"error", T},
        {"duration_ms", I}, {"response", B}, {"final", I}}},
      {"stats_hourly", 3, {{"client_id", I}, {"mailing_id", I}, {"hour", I}, {"enqueued", I},
        {"sent", I}, {"failed", I}, {"bounced_hard", I}, {"bounced_soft", I}, {"complaints", I},
        {"unsubscribes", I}, {"opens", I}, {"opens_unique", I}, {"opens_machine", I},
        {"clicks", I}, {"clicks_unique", I}, {"clicks_machine", I}}},
      {"stats_links", 4, {{"client_id", I}, {"mailing_id", I}, {"link_index", I}, {"hour", I},
        {"clicks", I}, {"clicks_unique", I}}},
  };
  // clang-format on
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
