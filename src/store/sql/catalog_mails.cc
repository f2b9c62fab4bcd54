// Catalog: blocklist entries, DKIM keys and the mail search.
#include "store/sql/catalog.h"
#include "store/sql/queue.h"
#include "store/sql/records.h"

namespace campaignd::store {

Result<std::vector<BlockEntry>> Catalog::ListBlocklist(int64_t client_id, const PageRequest& page) {
  const SqlValue params[] = {client_id, page.after, static_cast<int64_t>(page.limit)};
  return EachRow<BlockEntry>(
      runner_.Query("SELECT pattern, reason FROM blocklist WHERE client_id = $1 AND pattern > $2 "
                    "ORDER BY pattern LIMIT $3",
                    params, 2, "list blocklist"),
      [](const SqlRow& row) {
        return BlockEntry{CellText(row, 0), CellText(row, 1)};
      });
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

// Filters become conditions with their own placeholders, so each engine
// sees one statement per combination of filters (prepared once each).
Result<std::vector<Mail>> Catalog::SearchMails(const MailQuery& query) {
  std::string sql = "SELECT " + MailColumns() + " FROM mails WHERE client_id = $1";
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
  return EachRow<Mail>(runner_.Query(sql, params, 12, "search mails"), MailFromRow);
}

}  // namespace campaignd::store
