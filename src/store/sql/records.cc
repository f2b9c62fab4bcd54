// Every record's columns are named once, in its table's k*Columns below;
// the statements (INSERT, INSERT ... ON CONFLICT, UPDATE, DELETE) are made
// from them by WriteSql and DeleteRows, so one write mode cannot name a
// column another one forgets.
#include "store/sql/records.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/address.h"
#include "core/fields.h"
#include "store/json_text.h"
#include "store/sql/events.h"

namespace campaignd::store::records {
namespace {

// A table as a write sees it: the key columns first (`keys` of them), then
// the ones an UPDATE also matches on (up to `match`), then the rest.
struct Table {
  std::string_view name;
  std::span<const std::string_view> columns;
  std::size_t keys;
  std::size_t match;
};

// The first `n` columns of `t` (a write that leaves the others alone).
Table Prefix(Table t, std::size_t n) {
  t.columns = t.columns.first(n);
  return t;
}

std::string Join(std::span<const std::string_view> names, std::string_view separator,
                 std::string_view suffix = "", std::size_t first_placeholder = 0) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += separator;
    out += names[i];
    out += suffix;
    if (first_placeholder > 0) out += "$" + std::to_string(first_placeholder + i);
  }
  return out;
}

// The statement writing `rows` rows of `t` the `how` way; values $1..$N in
// column order, row after row (kUpdate: one row).
std::string WriteSql(const Table& t, Write how, std::size_t rows) {
  const std::size_t n = t.columns.size();
  if (how == Write::kUpdate) {
    return "UPDATE " + std::string(t.name) + " SET " +
           Join(t.columns.subspan(t.match), ", ", " = ", t.match + 1) + " WHERE " +
           Join(t.columns.first(t.match), " AND ", " = ", 1);
  }
  std::string sql = "INSERT INTO " + std::string(t.name) + " (" + Join(t.columns, ", ") +
                    ") VALUES " + PlaceholderRows(rows, n);
  if (how == Write::kInsert) return sql;
  sql += " ON CONFLICT (" + Join(t.columns.first(t.keys), ", ") + ") DO ";
  if (how == Write::kInsertNew || t.keys == n) return sql + "NOTHING";
  sql += "UPDATE SET ";
  for (std::size_t c = t.keys; c < n; ++c) {
    if (c > t.keys) sql += ", ";
    sql += std::string(t.columns[c]) + " = excluded." + std::string(t.columns[c]);
  }
  return sql;
}

// The purpose's verb of each Write.
constexpr std::string_view kVerbs[] = {"insert ", "add ", "upsert ", "update "};

// Writes the rows of `values` (whole rows of `t`, in column order) the
// `how` way, kRowsPerInsert per statement; rows written.
Result<int64_t> WriteRows(SqlSession& session, const Table& t, Write how,
                          std::span<const SqlValue> values, std::string_view what) {
  const std::size_t n = t.columns.size(), step = kRowsPerInsert * n;
  int64_t written = 0;
  for (std::size_t at = 0; at < values.size(); at += step) {
    std::span<const SqlValue> chunk = values.subspan(at, std::min(step, values.size() - at));
    Result<int64_t> rows =
        session.Execute(WriteSql(t, how, chunk.size() / n), chunk,
                        std::string(kVerbs[static_cast<int>(how)]) + std::string(what));
    if (!rows.ok()) return rows;
    written += *rows;
  }
  return written;
}

// Writes one row of `t` from the first of `values`; rows written.
Result<int64_t> WriteRow(SqlSession& session, const Table& t, Write how,
                         std::span<const SqlValue> values, std::string_view what) {
  return WriteRows(session, t, how, values.first(t.columns.size()), what);
}

// Deletes the rows whose first columns of `t` equal `key`; rows deleted.
Result<int64_t> DeleteRows(SqlSession& session, const Table& t, std::span<const SqlValue> key,
                           std::string_view what) {
  return session.Execute("DELETE FROM " + std::string(t.name) + " WHERE " +
                             Join(t.columns.first(key.size()), " AND ", " = ", 1),
                         key, "delete " + std::string(what));
}

// The rows of `t` under `key` replaced by `rows` (whole rows, key first).
Status ReplaceRows(SqlSession& session, const Table& t, std::span<const SqlValue> key,
                   std::span<const SqlValue> rows, std::string_view what) {
  CAMPAIGND_RETURN_IF_ERROR(DeleteRows(session, t, key, what).status());
  return WriteRows(session, t, Write::kInsert, rows, what).status();
}

// Whether a (lower-cased) blocklist pattern has wildcards ('*', '?').
bool IsWildcardPattern(std::string_view pattern) {
  return pattern.find_first_of("*?") != std::string_view::npos;
}

// "SELECT <every column of t> FROM <t> ".
std::string Select(const Table& t) {
  return "SELECT " + Join(t.columns, ", ") + " FROM " + std::string(t.name) + " ";
}

SqlValue Flag(bool value) { return int64_t{value ? 1 : 0}; }
SqlValue Text(std::string_view value) { return std::string(value); }

// clang-format off
constexpr std::string_view kClientColumns[] = {
    "id", "name", "transport", "redirect_hosts", "bounce_limit", "rate_limit", "bounce_domain",
    "bounce_local", "complaint_address", "attachments", "mail_id_secret"};
// clang-format on
constexpr Table kClients{"clients", kClientColumns, 1, 1};
static_assert(std::size(kClientColumns) == kClientSelectColumns);
constexpr std::string_view kApiKeyColumns[] = {"client_id", "id", "name", "key_hash",
                                               "created_at"};
constexpr Table kApiKeys{"api_keys", kApiKeyColumns, 2, 2};
constexpr std::string_view kDkimColumns[] = {"client_id", "domain", "selector", "algorithm",
                                             "private_key_pem"};
constexpr Table kDkimKeys{"dkim_keys", kDkimColumns, 3, 3};
constexpr std::string_view kListColumns[] = {"client_id", "id", "name", "kind", "test"};
constexpr Table kLists{"lists", kListColumns, 2, 2};
constexpr std::string_view kFieldColumns[] = {"client_id", "list_id", "position", "name",
                                              "type"};
constexpr Table kListFields{"list_fields", kFieldColumns, 3, 3};
// The first five are what apply and the admin API write; the rest are the
// recipient operations'.
constexpr std::string_view kRecipientColumns[] = {
    "client_id", "list_id",  "recipient_id", "fields",      "state",
    "tracking_opt_out", "optin_id", "optin_at",     "optin_source"};
constexpr Table kRecipients{"recipients", kRecipientColumns, 3, 3};
// status third: kUpdate matches on it (a mailing's status is only ever
// changed by a status transition).
constexpr std::string_view kMailingColumns[] = {
    "client_id",    "id",       "status",  "name",      "type",      "target_group",
    "from_address", "reply_to", "subject", "text_body", "html_body", "tracking"};
constexpr Table kMailings{"mailings", kMailingColumns, 2, 3};
constexpr std::string_view kMailingListColumns[] = {"client_id", "mailing_id", "list_id"};
constexpr Table kMailingLists{"mailing_lists", kMailingListColumns, 3, 3};
// code_hash last: kUpdate leaves it out.
constexpr std::string_view kCodeColumns[] = {
    "client_id", "name", "list_id", "operations", "ips", "methods", "protocols",
    "redirect_hosts", "enabled", "code_hash"};
constexpr Table kCodes{"codes", kCodeColumns, 2, 2};
constexpr std::string_view kBlockColumns[] = {"client_id", "pattern", "reason", "is_wildcard"};
constexpr Table kBlocklist{"blocklist", kBlockColumns, 2, 2};
constexpr std::string_view kBounceColumns[] = {"client_id", "address", "hard_bounces"};
constexpr Table kBounces{"bounces", kBounceColumns, 2, 2};
constexpr std::string_view kOptInColumns[] = {"client_id", "id",         "name",
                                              "kind",      "mailing_id", "confirmation_url"};
constexpr Table kOptIns{"optin_processes", kOptInColumns, 2, 2};
constexpr std::string_view kUnsubscribeColumns[] = {"client_id", "address", "mail_id",
                                                    "mailing_id", "at"};
constexpr Table kUnsubscribes{"unsubscribes", kUnsubscribeColumns, 2, 2};

// The recipient columns from list_id on, as FindRecipient reads them.
constexpr std::string_view kRecipientSelect =
    "SELECT list_id, recipient_id, fields, state, tracking_opt_out, optin_id, optin_at, "
    "optin_source FROM recipients WHERE client_id = $1 AND list_id = $2 AND recipient_id = $3";

Result<Recipient> RecipientFromRow(const SqlRow& row) {
  CellReader cells(row);
  Recipient r;
  r.list_id = cells.Int(0);
  r.id = cells.Text(1);
  const std::string what = "recipient " + r.id + " of list " + std::to_string(r.list_id);
  r.fields = cells.Decode(2, FieldsFromJson, what);
  r.state = cells.Enum(3, ParseRecipientState, what + ": state");
  r.tracking_opt_out = cells.Flag(4);
  r.optin_id = cells.Int(5);
  r.optin_at = cells.Time(6);
  r.optin_source = cells.Text(7);
  return cells.Finish(std::move(r));
}

// The values of `recipient` in kRecipientColumns order, the first `n`.
Status AppendRecipient(std::vector<SqlValue>& values, int64_t client_id, int64_t list_id,
                       const Recipient& recipient, std::size_t n) {
  Result<std::string> fields = FieldsToJson(recipient.fields);
  if (!fields.ok()) return fields.status();
  SqlValue row[] = {client_id,
                    list_id,
                    recipient.id,
                    std::move(*fields),
                    Text(Name(recipient.state)),
                    Flag(recipient.tracking_opt_out),
                    recipient.optin_id,
                    ToUnixMillis(recipient.optin_at),
                    recipient.optin_source};
  values.insert(values.end(), std::make_move_iterator(row), std::make_move_iterator(row + n));
  return Status::Ok();
}

}  // namespace

Result<int64_t> WriteClient(SqlSession& session, const Client& client, Write how,
                            ClientColumns columns) {
  Result<std::string> hosts = StringsToJson(client.redirect_hosts);
  if (!hosts.ok()) return hosts.status();
  const SqlValue values[] = {client.id,
                             client.name,
                             client.transport,
                             std::move(*hosts),
                             int64_t{client.bounce_limit},
                             int64_t{client.rate_limit},
                             client.bounce_domain,
                             client.bounce_local,
                             client.complaint_address,
                             Flag(client.attachments),
                             SqlBytes{client.mail_id_secret}};
  // An existing client keeps its secret (and an upsert would check the new
  // row's secret even when it updates), so kUpdate leaves it out.
  std::size_t n = std::size(kClientColumns);
  if (how == Write::kUpdate) n = columns == ClientColumns::kAll ? n - 1 : n - 2;
  return WriteRow(session, Prefix(kClients, n), how, values, "client");
}

std::string ClientSelect() { return Select(kClients); }

Result<Client> ClientFromRow(const SqlRow& row) {
  CellReader cells(row);
  Client client{cells.Int(0), cells.Text(1), cells.Text(2)};
  client.redirect_hosts = cells.Decode(3, StringsFromJson, "client " + std::to_string(client.id));
  client.bounce_limit = static_cast<int>(cells.Int(4));
  client.rate_limit = static_cast<int>(cells.Int(5));
  client.bounce_domain = cells.Text(6);
  client.bounce_local = cells.Text(7);
  client.complaint_address = cells.Text(8);
  client.attachments = cells.Flag(9);
  client.mail_id_secret = cells.Text(10);
  return cells.Finish(std::move(client));
}

Status InsertApiKey(SqlSession& session, const ApiKey& key) {
  const SqlValue values[] = {key.client_id, key.id, key.name, key.key_hash,
                             ToUnixMillis(key.created_at)};
  return WriteRow(session, kApiKeys, Write::kInsert, values, "API key").status();
}

Status UpsertDkimKey(SqlSession& session, int64_t client_id, const DkimKey& key) {
  const SqlValue values[] = {client_id, key.domain, key.selector, key.algorithm,
                             key.private_key_pem};
  return WriteRow(session, kDkimKeys, Write::kUpsert, values, "DKIM key").status();
}

Result<int64_t> WriteList(SqlSession& session, int64_t client_id, const RecipientList& list,
                          Write how) {
  const SqlValue values[] = {client_id, list.id, list.name, Text(Name(list.kind)),
                             Flag(list.test)};
  Result<int64_t> written = WriteRow(session, kLists, how, values, "list");
  if (!written.ok() || *written == 0) return written;
  std::vector<SqlValue> fields;
  for (std::size_t i = 0; i < list.fields.size(); ++i) {
    fields.insert(fields.end(),
                  {client_id, list.id, int64_t(i), list.fields[i].name, list.fields[i].type});
  }
  CAMPAIGND_RETURN_IF_ERROR(
      ReplaceRows(session, kListFields, std::span(values, 2), fields, "list fields"));
  return written;
}

namespace {

// The `unsubscribe` events (source "admin") of the recipients of `ids` that
// are not unsubscribed in the list yet (read before the upsert that makes
// them so).
Result<std::vector<events::Event>> AdminUnsubscribes(SqlSession& session, int64_t client_id,
                                                     int64_t list_id,
                                                     std::span<const std::string_view> ids) {
  std::vector<events::Event> unsubscribed;
  const TimePoint now = std::chrono::system_clock::now();
  for (std::size_t at = 0; at < ids.size(); at += kRowsPerInsert) {
    std::span<const std::string_view> chunk =
        ids.subspan(at, std::min(kRowsPerInsert, ids.size() - at));
    std::vector<SqlValue> params = {client_id, list_id};
    for (std::string_view id : chunk) params.push_back(Text(id));
    Result<std::vector<std::string>> already = EachRow<std::string>(
        session.Query("SELECT recipient_id FROM recipients WHERE client_id = $1 AND list_id = $2 "
                      "AND state = 'unsubscribed' AND recipient_id IN " +
                          PlaceholderRows(1, chunk.size(), 3),
                      params, 1, "find unsubscribed recipients"),
        [](const SqlRow& row) -> Result<std::string> { return CellText(row, 0); });
    if (!already.ok()) return already.status();
    for (std::string_view id : chunk) {
      if (std::find(already->begin(), already->end(), id) != already->end()) continue;
      events::Event& e = unsubscribed.emplace_back();
      e.client_id = client_id;
      e.type = events::EventType::kUnsubscribe;
      e.at = now;
      e.list_id = list_id;
      e.recipient_id = std::string(id);
      e.address = LowerAscii(id);
      e.data = R"({"source":"admin"})";
    }
  }
  return unsubscribed;
}

}  // namespace

Status UpsertRecipients(SqlSession& session, int64_t client_id, int64_t list_id,
                        std::span<const Recipient> recipients) {
  // The last row of an address wins; one statement must not name it twice.
  std::unordered_map<std::string_view, std::size_t> last;
  for (std::size_t i = 0; i < recipients.size(); ++i) last[recipients[i].id] = i;
  // An operator setting a recipient's state to unsubscribed is an
  // `unsubscribe` event (events.md §1, source "admin").
  std::vector<std::string_view> unsubscribing;
  for (std::size_t i = 0; i < recipients.size(); ++i) {
    if (last[recipients[i].id] == i && recipients[i].state == RecipientState::kUnsubscribed) {
      unsubscribing.push_back(recipients[i].id);
    }
  }
  std::vector<events::Event> unsubscribed;
  if (!unsubscribing.empty()) {
    Result<std::vector<events::Event>> found =
        AdminUnsubscribes(session, client_id, list_id, unsubscribing);
    if (!found.ok()) return found.status();
    unsubscribed = std::move(*found);
  }
  const Table table = Prefix(kRecipients, 5);
  std::vector<SqlValue> values;
  values.reserve(std::min(recipients.size(), kRowsPerInsert) * 5);
  for (std::size_t i = 0; i < recipients.size(); ++i) {
    if (last[recipients[i].id] != i) continue;
    CAMPAIGND_RETURN_IF_ERROR(AppendRecipient(values, client_id, list_id, recipients[i], 5));
    if (values.size() == kRowsPerInsert * 5) {
      CAMPAIGND_RETURN_IF_ERROR(
          WriteRows(session, table, Write::kUpsert, values, "recipients").status());
      values.clear();
    }
  }
  CAMPAIGND_RETURN_IF_ERROR(
      WriteRows(session, table, Write::kUpsert, values, "recipients").status());
  return unsubscribed.empty() ? Status::Ok() : events::AppendAll(session, unsubscribed);
}

Status PutRecipient(SqlSession& session, int64_t client_id, const Recipient& recipient) {
  std::vector<SqlValue> values;
  CAMPAIGND_RETURN_IF_ERROR(AppendRecipient(values, client_id, recipient.list_id, recipient,
                                            std::size(kRecipientColumns)));
  return WriteRow(session, kRecipients, Write::kUpsert, values, "recipient").status();
}

Result<int64_t> DeleteRecipient(SqlSession& session, int64_t client_id, int64_t list_id,
                                std::string_view recipient_id) {
  const SqlValue key[] = {client_id, list_id, Text(recipient_id)};
  return DeleteRows(session, kRecipients, key, "recipient");
}

Result<std::optional<Recipient>> FindRecipient(SqlSession& session, int64_t client_id,
                                               int64_t list_id, std::string_view recipient_id) {
  const SqlValue key[] = {client_id, list_id, Text(recipient_id)};
  return FirstRow<Recipient>(session.Query(kRecipientSelect, key, 8, "find recipient"),
                             RecipientFromRow);
}

Result<Mailing> MailingFromRow(const SqlRow& row, int first, int64_t client_id, int64_t id) {
  CellReader cells(row);
  const std::string what = "mailing " + std::to_string(id);
  return cells.Finish(Mailing{client_id,
                              id,
                              cells.Text(first),
                              cells.Enum(first + 1, ParseMailingType, what + ": type"),
                              cells.Enum(first + 2, ParseMailingStatus, what + ": status"),
                              {},
                              cells.Text(first + 3),
                              cells.Text(first + 4),
                              cells.Text(first + 5),
                              cells.Text(first + 6),
                              cells.Text(first + 7),
                              cells.Text(first + 8),
                              cells.Enum(first + 9, ParseTracking, what + ": tracking")});
}

// MailingFromRow's cells, in its order.
constexpr std::string_view kMailingReadColumns[] = {
    "name",     "type",    "status",    "target_group", "from_address",
    "reply_to", "subject", "text_body", "html_body",    "tracking"};
static_assert(std::size(kMailingReadColumns) == kMailingCells);

std::string MailingColumns(std::string_view prefix) {
  std::string out;
  for (std::string_view column : kMailingReadColumns) {
    if (!out.empty()) out += ", ";
    out.append(prefix).append(column);
  }
  return out;
}

Result<int64_t> WriteMailing(SqlSession& session, int64_t client_id, const Mailing& m,
                             Write how) {
  const SqlValue values[] = {client_id,
                             m.id,
                             Text(Name(m.status)),
                             m.name,
                             Text(Name(m.type)),
                             m.target_group,
                             m.from,
                             m.reply_to,
                             m.subject,
                             m.text,
                             m.html,
                             Text(Name(m.tracking))};
  Result<int64_t> written = WriteRow(session, kMailings, how, values, "mailing");
  if (!written.ok() || *written == 0) return written;
  std::vector<SqlValue> lists;
  for (int64_t list_id : m.list_ids) lists.insert(lists.end(), {client_id, m.id, list_id});
  CAMPAIGND_RETURN_IF_ERROR(
      ReplaceRows(session, kMailingLists, std::span(values, 2), lists, "mailing lists"));
  return written;
}

Result<int64_t> WriteCode(SqlSession& session, int64_t client_id, const AuthCode& code,
                          Write how) {
  std::vector<SqlValue> values = {client_id, code.name, code.list_id};
  for (const std::vector<std::string>* list :
       {&code.operations, &code.ips, &code.methods, &code.protocols, &code.redirect_hosts}) {
    Result<std::string> json = StringsToJson(*list);
    if (!json.ok()) return json.status();
    values.emplace_back(std::move(*json));
  }
  values.push_back(Flag(code.enabled));
  values.emplace_back(code.code_hash);
  const std::size_t n = std::size(kCodeColumns) - (how == Write::kUpdate ? 1 : 0);
  return WriteRow(session, Prefix(kCodes, n), how, values, "code");
}

std::string CodeSelect() { return Select(kCodes); }

Result<AuthCode> CodeFromRow(const SqlRow& row) {
  CellReader cells(row);
  AuthCode code{.code_hash = cells.Text(9),
                .name = cells.Text(1),
                .client_id = cells.Int(0),
                .list_id = cells.Int(2)};
  const std::string what = "code '" + code.name + "' of client " + std::to_string(code.client_id);
  int column = 3;
  for (std::vector<std::string>* list :
       {&code.operations, &code.ips, &code.methods, &code.protocols, &code.redirect_hosts}) {
    *list = cells.Decode(column++, StringsFromJson, what);
  }
  code.enabled = cells.Flag(8);
  return cells.Finish(std::move(code));
}

Result<int64_t> WriteBlockEntry(SqlSession& session, int64_t client_id, const BlockEntry& entry,
                                Write how) {
  // A pattern new to the list is a `blocklist` event; a new reason for one
  // already there (an upsert, a provisioning file applied again) is none.
  bool existed = false;
  if (how == Write::kUpsert || how == Write::kUpdate) {
    const SqlValue key[] = {client_id, entry.pattern};
    Result<std::vector<SqlRow>> found =
        session.Query("SELECT 1 FROM blocklist WHERE client_id = $1 AND pattern = $2", key, 1,
                      "find blocklist entry");
    if (!found.ok()) return found.status();
    existed = !found->empty();
  }
  const SqlValue values[] = {client_id, entry.pattern, entry.reason,
                             Flag(IsWildcardPattern(entry.pattern))};
  Result<int64_t> written = WriteRow(session, kBlocklist, how, values, "blocklist entry");
  if (!written.ok() || *written == 0 || existed) return written;
  events::Event e;
  e.client_id = client_id;
  e.type = events::EventType::kBlocklist;
  // The blocklist keeps no time of its own: the event's is the write's.
  e.at = std::chrono::system_clock::now();
  if (!IsWildcardPattern(entry.pattern)) {
    e.recipient_id = entry.pattern;
    e.address = LowerAscii(entry.pattern);
  }
  e.data = nlohmann::json{{"pattern", entry.pattern}, {"reason", entry.reason}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  CAMPAIGND_RETURN_IF_ERROR(events::Append(session, e).status());
  return written;
}

Result<int64_t> DeleteBlockEntry(SqlSession& session, int64_t client_id,
                                 std::string_view pattern) {
  const SqlValue key[] = {client_id, Text(pattern)};
  return DeleteRows(session, kBlocklist, key, "blocklist entry");
}

Status SetBounces(SqlSession& session, int64_t client_id, std::string_view address, int count) {
  const SqlValue values[] = {client_id, Text(address), int64_t{count}};
  return WriteRow(session, kBounces, Write::kUpsert, values, "bounces").status();
}

Status AddHardBounce(SqlSession& session, int64_t mail_seq) {
  const SqlValue mail[] = {mail_seq};
  return session
      .Execute(
          "INSERT INTO bounces (client_id, address, hard_bounces) "
          "SELECT client_id, lower(recipient_id), 1 FROM mails WHERE id = $1 "
          "ON CONFLICT (client_id, address) DO UPDATE "
          "SET hard_bounces = bounces.hard_bounces + 1",
          mail, "count hard bounce")
      .status();
}

Result<std::vector<Client>> ClientsByComplaintAddress(SqlSession& session,
                                                      std::string_view address) {
  const SqlValue params[] = {Text(address)};
  return EachRow<Client>(
      session.Query(ClientSelect() +
                        "WHERE complaint_address = $1 OR (complaint_address = '' AND "
                        "bounce_domain <> '' AND 'fbl@' || bounce_domain = $1) ORDER BY id",
                    params, kClientSelectColumns, "find clients by complaint address"),
      ClientFromRow);
}

Result<int64_t> WriteOptIn(SqlSession& session, int64_t client_id, const OptInProcess& p,
                           Write how) {
  const SqlValue values[] = {client_id, p.id, p.name, Text(Name(p.kind)), p.mailing_id,
                             p.confirmation_url};
  return WriteRow(session, kOptIns, how, values, "opt-in process");
}

Result<OptInProcess> OptInFromRow(int64_t client_id, const SqlRow& row) {
  CellReader cells(row);
  return cells.Finish(OptInProcess{client_id, cells.Int(0), cells.Text(1),
                                   cells.Enum(2, ParseOptInKind, "opt-in process kind"),
                                   cells.Int(3), cells.Text(4)});
}

Result<std::optional<OptInProcess>> FindOptIn(SqlSession& session, int64_t client_id,
                                              int64_t id) {
  const SqlValue key[] = {client_id, id};
  return FirstRow<OptInProcess>(
      session.Query(std::string(kOptInSelect) + "WHERE client_id = $1 AND id = $2", key, 5,
                    "find opt-in process"),
      [&](const SqlRow& row) { return OptInFromRow(client_id, row); });
}

Result<Suppression> CheckSuppression(SqlSession& session, int64_t client_id, int64_t list_id,
                                     std::string_view address) {
  // Row kind 0: unsubscribed (0/1) and hard bounces; kind 1: a blocklist
  // entry that may match (is_wildcard, pattern), matched here with the
  // same MatchesPattern on both engines.
  const SqlValue params[] = {client_id, list_id, Text(address)};
  Result<std::vector<SqlRow>> rows = session.Query(
      "SELECT 0, CASE WHEN EXISTS (SELECT 1 FROM recipients WHERE client_id = $1 "
      "  AND list_id = $2 AND recipient_id = $3 AND state = 'unsubscribed') "
      "  OR EXISTS (SELECT 1 FROM unsubscribes WHERE client_id = $1 AND address = $3) "
      "  THEN 1 ELSE 0 END, "
      "  COALESCE((SELECT hard_bounces FROM bounces WHERE client_id = $1 AND address = $3), 0), "
      "  NULL "
      "UNION ALL SELECT 1, is_wildcard, 0, pattern FROM blocklist "
      "  WHERE client_id = $1 AND (pattern = $3 OR is_wildcard = 1)",
      params, 4, "check suppression");
  if (!rows.ok()) return rows.status();
  Suppression s;
  for (const SqlRow& row : *rows) {
    CellReader cells(row);
    if (cells.Int(0) == 0) {
      s.unsubscribed = cells.Flag(1);
      s.hard_bounces = static_cast<int>(cells.Int(2));
    } else {
      const std::string pattern = cells.Text(3);
      if (!s.blocked && (!cells.Flag(1) || MatchesPattern(pattern, address))) {
        s.blocked = true;
        s.blocked_by = pattern;
      }
    }
    CAMPAIGND_RETURN_IF_ERROR(cells.status());
  }
  return s;
}

Status PutUnsubscribe(SqlSession& session, int64_t client_id, const Unsubscribe& u) {
  const SqlValue values[] = {client_id, u.address, u.mail_id, u.mailing_id, ToUnixMillis(u.at)};
  CAMPAIGND_RETURN_IF_ERROR(
      WriteRow(session, kUnsubscribes, Write::kUpsert, values, "unsubscribe").status());
  events::Event e;
  e.client_id = client_id;
  e.type = events::EventType::kUnsubscribe;
  e.at = u.at;
  if (u.mail_id != 0) e.mail_seq = u.mail_id;
  e.mailing_id = u.mailing_id;
  e.list_id = u.list_id;
  e.recipient_id = u.address;
  e.address = LowerAscii(u.address);
  e.data = nlohmann::json{{"source", u.source}}.dump(-1, ' ', false,
                                                     nlohmann::json::error_handler_t::replace);
  return events::Append(session, e).status();
}

// Two statements on both engines (SQLite has no INSERT in a WITH). The one
// PostgreSQL statement this replaced (WITH added AS (INSERT ... RETURNING)
// ... pg_notify) saved two round trips: measured with pgbench -M prepared
// on the local test cluster, a whole recipient transaction (BEGIN, lock,
// enqueue, COMMIT) took 0.62 ms with it and 0.69 ms with these plus
// AnnounceMail, on a path only confirmation mails take: not worth a copy.
Result<int64_t> InsertMail(SqlSession& session, const NewMail& mail, std::string fields) {
  const int64_t at = ToUnixMillis(mail.created_at);
  const SqlValue values[] = {mail.client_id, mail.list_id, mail.mailing_id, mail.recipient_id,
                             std::move(fields), at};
  Result<std::vector<SqlRow>> rows = session.Query(
      "INSERT INTO mails (client_id, list_id, mailing_id, recipient_id, fields, status, "
      "created_at, updated_at, next_attempt_at) "
      "VALUES ($1, $2, $3, $4, $5, 'enqueued', $6, $6, $6) RETURNING id",
      values, 1, "enqueue mail");
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::Internal("enqueue mail: no id returned");
  Result<int64_t> id = CellInt(rows->front(), 0);
  if (!id.ok()) return id.status();
  const SqlValue event[] = {*id, at};
  CAMPAIGND_RETURN_IF_ERROR(
      session
          .Execute("INSERT INTO mail_events (mail_id, at, status, reply) "
                   "VALUES ($1, $2, 'enqueued', '')",
                   event, "record mail event")
          .status());
  return id;
}

}  // namespace campaignd::store::records
