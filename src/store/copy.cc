#include "store/copy.h"

#include <algorithm>
#include <filesystem>
#include <string>

namespace campaignd::store {
namespace {

constexpr ColumnKind I = ColumnKind::kInt;
constexpr ColumnKind T = ColumnKind::kText;
constexpr ColumnKind B = ColumnKind::kBytes;

// Rows handed to TableWriter::InsertRows at a time.
constexpr std::size_t kCopyBatchRows = 500;

// Copies one table; returns its row count (and the highest id of `mails`).
Result<int64_t> CopyTableRows(const CopyTable& table, TableReader& reader, TableWriter& writer,
                              int64_t& max_mail_id) {
  std::vector<CopyRow> batch;
  int64_t count = 0;
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    Status status = writer.InsertRows(table, batch);
    batch.clear();
    return status;
  };
  const bool mails = table.name == "mails";
  Status read = reader.ReadRows(table, [&](const CopyRow& row) -> Status {
    if (mails) max_mail_id = std::max(max_mail_id, row[0].number);
    batch.push_back(row);
    ++count;
    return batch.size() < kCopyBatchRows ? Status::Ok() : flush();
  });
  CAMPAIGND_RETURN_IF_ERROR(read);
  CAMPAIGND_RETURN_IF_ERROR(flush());
  return count;
}

Status CheckEmpty(TableWriter& writer) {
  for (const CopyTable& table : CopyTables()) {
    Result<int64_t> rows = writer.CountRows(table);
    if (!rows.ok()) return rows.status();
    if (*rows > 0) {
      return Status::InvalidArgument("the target database is not empty (table " +
                                     std::string(table.name) + " has " + std::to_string(*rows) +
                                     " rows); copy-db only fills an empty database");
    }
  }
  return Status::Ok();
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

Result<CopyReport> CopyDatabase(CopyEndpoint& from, CopyEndpoint& to) {
  CopyReport report;
  Status status = to.WriteTransaction([&](TableWriter& writer) -> Status {
    CAMPAIGND_RETURN_IF_ERROR(CheckEmpty(writer));
    return from.ReadSnapshot([&](TableReader& reader) -> Status {
      int64_t max_mail_id = 0;
      for (const CopyTable& table : CopyTables()) {
        Result<int64_t> rows = CopyTableRows(table, reader, writer, max_mail_id);
        if (!rows.ok()) return rows.status().WithContext("copy table " + std::string(table.name));
        report.rows.emplace_back(table.name, *rows);
      }
      Result<int64_t> high_water = reader.MailIdHighWater();
      if (!high_water.ok()) return high_water.status();
      report.mail_id_high_water = std::max(*high_water, max_mail_id);
      return writer.FinishSequences(report.mail_id_high_water);
    });
  });
  if (!status.ok()) return status;
  return report;
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
  Result<std::unique_ptr<CopyEndpoint>> from = OpenCopyEndpoint(from_url);
  if (!from.ok()) return from.status().WithContext("source");
  Result<std::unique_ptr<CopyEndpoint>> to = OpenCopyEndpoint(to_url);
  if (!to.ok()) return to.status().WithContext("target");
  return CopyDatabase(**from, **to);
}

}  // namespace campaignd::store
