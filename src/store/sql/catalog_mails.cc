// Catalog: blocklist entries, DKIM keys and the mail search.
#include "store/json_text.h"
#include "store/sql/catalog.h"
#include "store/sql/records.h"

namespace campaignd::store {

Result<std::vector<BlockEntry>> Catalog::ListBlocklist(int64_t client_id, const PageRequest& page) {
  const SqlValue params[] = {client_id, page.after, static_cast<int64_t>(page.limit)};
  Result<std::vector<SqlRow>> rows = runner_.Query(
      "SELECT pattern, reason FROM blocklist WHERE client_id = $1 AND pattern > $2 "
      "ORDER BY pattern LIMIT $3",
      params, 2, "list blocklist");
  if (!rows.ok()) return rows.status();
  std::vector<BlockEntry> entries;
  for (const SqlRow& row : *rows) entries.push_back({CellText(row, 0), CellText(row, 1)});
  return entries;
}

Result<Change> Catalog::UpsertBlockEntry(int64_t client_id, const BlockEntry& entry) {
  return catalog_sql::WriteOne(runner_, [&](SqlSession& session) {
    return records::WriteBlockEntry(session, client_id, entry, records::Write::kUpsert);
  });
}

Result<Change> Catalog::DeleteBlockEntry(int64_t client_id, std::string_view pattern) {
  return catalog_sql::WriteOne(runner_, [&](SqlSession& session) {
    return records::DeleteBlockEntry(session, client_id, pattern);
  });
}

Result<Change> Catalog::UpsertDkimKey(int64_t client_id, const DkimKey& key) {
  return catalog_sql::WriteOne(runner_, [&](SqlSession& session) -> Result<int64_t> {
    CAMPAIGND_RETURN_IF_ERROR(records::UpsertDkimKey(session, client_id, key));
    return 1;
  });
}

Result<Change> Catalog::DeleteDkimKey(int64_t client_id, std::string_view domain,
                                      std::string_view selector) {
  const SqlValue params[] = {client_id, std::string(domain), std::string(selector)};
  return catalog_sql::WriteOne(
      runner_, "DELETE FROM dkim_keys WHERE client_id = $1 AND domain = $2 AND selector = $3",
      params, "delete DKIM key");
}

namespace {

constexpr int kMailColumns = 12;

Result<Mail> MailFromRow(const SqlRow& row) {
  Mail mail;
  int64_t* ints[] = {&mail.client_id, &mail.id, &mail.list_id, &mail.mailing_id};
  for (int i = 0; i < 4; ++i) {
    Result<int64_t> value = CellInt(row, i);
    if (!value.ok()) return value.status();
    *ints[i] = *value;
  }
  mail.recipient_id = CellText(row, 4);
  Result<FieldValues> fields = FieldsFromJson(CellText(row, 5), "mail fields");
  if (!fields.ok()) return fields.status();
  mail.fields = std::move(*fields);
  std::optional<MailStatus> status = ParseMailStatus(CellText(row, 6));
  if (!status) return Status::Corruption("mail status '" + CellText(row, 6) + "'");
  mail.status = *status;
  Result<int64_t> attempts = CellInt(row, 7), created = CellInt(row, 8),
                  updated = CellInt(row, 9), next = CellInt(row, 10);
  if (!attempts.ok() || !created.ok() || !updated.ok() || !next.ok()) {
    return Status::Corruption("mail row");
  }
  mail.attempts = static_cast<int>(*attempts);
  mail.created_at = FromUnixMillis(*created);
  mail.updated_at = FromUnixMillis(*updated);
  mail.next_attempt_at = FromUnixMillis(*next);
  mail.last_reply = CellText(row, 11);
  return mail;
}

}  // namespace

// Filters become conditions with their own placeholders, so each engine
// sees one statement per combination of filters (prepared once each).
Result<std::vector<Mail>> Catalog::SearchMails(const MailQuery& query) {
  std::string sql =
      "SELECT client_id, id, list_id, mailing_id, recipient_id, fields, status, attempts, "
      "created_at, updated_at, next_attempt_at, last_reply FROM mails WHERE client_id = $1";
  std::vector<SqlValue> params = {query.client_id};
  auto add = [&](std::string_view condition, SqlValue value) {
    params.push_back(std::move(value));
    sql += " AND " + std::string(condition) + " $" + std::to_string(params.size());
  };
  if (query.recipient_id) add("recipient_id =", *query.recipient_id);
  if (query.mailing_id) add("mailing_id =", *query.mailing_id);
  if (query.status) add("status =", std::string(MailStatusName(*query.status)));
  if (query.since) add("created_at >=", ToUnixMillis(*query.since));
  if (query.until) add("created_at <", ToUnixMillis(*query.until));
  if (query.before) add("id <", *query.before);
  params.push_back(static_cast<int64_t>(query.limit));
  sql += " ORDER BY id DESC LIMIT $" + std::to_string(params.size());
  Result<std::vector<SqlRow>> rows = runner_.Query(sql, params, kMailColumns, "search mails");
  if (!rows.ok()) return rows.status();
  return catalog_sql::FromRows<Mail>(*rows, MailFromRow);
}

}  // namespace campaignd::store
