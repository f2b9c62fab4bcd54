#include "store/sql/directory.h"

#include "core/address.h"
#include "core/fields.h"
#include "store/json_text.h"
#include "store/sql/records.h"

namespace campaignd::store {
namespace {

// Reads the JSON array in cell `column` into `out`.
Status ReadStrings(const SqlRow& row, int column, std::string_view what,
                   std::vector<std::string>& out) {
  Result<std::vector<std::string>> strings = StringsFromJson(CellText(row, column), what);
  if (!strings.ok()) return strings.status();
  out = std::move(*strings);
  return Status::Ok();
}

// Reads each (column, out) integer cell of `row`.
Status ReadInts(const SqlRow& row, std::initializer_list<std::pair<int, int64_t*>> cells) {
  for (const auto& [column, out] : cells) {
    Result<int64_t> value = CellInt(row, column);
    if (!value.ok()) return value.status();
    *out = *value;
  }
  return Status::Ok();
}

// client_id, name, code_hash, list_id, enabled, operations .. redirect_hosts.
Result<AuthCode> ReadCode(const SqlRow& row) {
  AuthCode code;
  int64_t enabled = 0;
  CAMPAIGND_RETURN_IF_ERROR(
      ReadInts(row, {{0, &code.client_id}, {3, &code.list_id}, {4, &enabled}}));
  code.name = CellText(row, 1);
  code.code_hash = CellText(row, 2);
  code.enabled = enabled != 0;
  const std::string what = "code '" + code.name + "' of client " + std::to_string(code.client_id);
  std::vector<std::string>* lists[] = {&code.operations, &code.ips, &code.methods, &code.protocols,
                                       &code.redirect_hosts};
  for (int i = 0; i < 5; ++i) CAMPAIGND_RETURN_IF_ERROR(ReadStrings(row, 5 + i, what, *lists[i]));
  return code;
}

}  // namespace

Result<std::optional<AuthCode>> SqlDirectory::FindCode(std::string_view code_hash) {
  const SqlValue params[] = {std::string(code_hash)};
  Result<std::vector<SqlRow>> rows = runner_.Query(
      "SELECT client_id, name, code_hash, list_id, enabled, operations, ips, methods, "
      "protocols, redirect_hosts FROM codes WHERE code_hash = $1",
      params, 10, "find code");
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<AuthCode>();
  Result<AuthCode> code = ReadCode(rows->front());
  if (!code.ok()) return code.status();
  return std::optional<AuthCode>(std::move(*code));
}

Result<std::optional<Client>> SqlDirectory::FindClient(int64_t client_id) {
  const SqlValue params[] = {client_id};
  Result<std::vector<SqlRow>> rows = runner_.Query(
      "SELECT name, transport, redirect_hosts, bounce_limit, rate_limit, mail_id_secret, "
      "attachments FROM clients WHERE id = $1",
      params, 7, "find client");
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Client>();
  const SqlRow& row = rows->front();
  Client client;
  client.id = client_id;
  client.name = CellText(row, 0);
  client.transport = CellText(row, 1);
  CAMPAIGND_RETURN_IF_ERROR(
      ReadStrings(row, 2, "client " + std::to_string(client_id), client.redirect_hosts));
  int64_t bounce_limit = 0, rate_limit = 0, attachments = 0;
  CAMPAIGND_RETURN_IF_ERROR(
      ReadInts(row, {{3, &bounce_limit}, {4, &rate_limit}, {6, &attachments}}));
  client.bounce_limit = static_cast<int>(bounce_limit);
  client.rate_limit = static_cast<int>(rate_limit);
  client.mail_id_secret = CellText(row, 5);
  client.attachments = attachments != 0;
  return std::optional<Client>(std::move(client));
}

Result<std::vector<DkimKey>> SqlDirectory::FindDkimKeys(int64_t client_id) {
  const SqlValue params[] = {client_id};
  Result<std::vector<SqlRow>> rows = runner_.Query(
      "SELECT domain, selector, algorithm, private_key_pem FROM dkim_keys WHERE client_id = $1 "
      "ORDER BY domain, selector",
      params, 4, "find DKIM keys");
  if (!rows.ok()) return rows.status();
  std::vector<DkimKey> keys;
  keys.reserve(rows->size());
  for (const SqlRow& row : *rows) {
    keys.push_back({CellText(row, 0), CellText(row, 1), CellText(row, 2), CellText(row, 3)});
  }
  return keys;
}

Result<std::optional<RecipientList>> SqlDirectory::FindList(int64_t client_id, int64_t list_id) {
  const SqlValue params[] = {client_id, list_id};
  Result<std::vector<SqlRow>> rows = runner_.Query(
      "SELECT l.name, l.kind, l.test, f.name, f.type FROM lists l LEFT JOIN list_fields f "
      "ON f.client_id = l.client_id AND f.list_id = l.id "
      "WHERE l.client_id = $1 AND l.id = $2 ORDER BY f.position",
      params, 5, "find list");
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<RecipientList>();
  const SqlRow& first = rows->front();
  std::optional<ListKind> kind = ParseListKind(CellText(first, 1));
  if (!kind) return Status::Corruption("list " + std::to_string(list_id) + ": unknown kind");
  int64_t test = 0;
  CAMPAIGND_RETURN_IF_ERROR(ReadInts(first, {{2, &test}}));
  RecipientList list{client_id, list_id, CellText(first, 0), *kind, test != 0, {}};
  for (const SqlRow& row : *rows) {
    if (row[3]) list.fields.push_back({*row[3], CellText(row, 4)});  // NULL: no fields
  }
  return std::optional<RecipientList>(std::move(list));
}

Result<std::optional<Mailing>> SqlDirectory::FindMailing(int64_t client_id, int64_t mailing_id) {
  const SqlValue params[] = {client_id, mailing_id};
  Result<std::vector<SqlRow>> rows = runner_.Query(
      "SELECT m.name, m.type, m.status, m.target_group, m.from_address, m.reply_to, m.subject, "
      "m.text_body, m.html_body, ml.list_id FROM mailings m LEFT JOIN mailing_lists ml "
      "ON ml.client_id = m.client_id AND ml.mailing_id = m.id "
      "WHERE m.client_id = $1 AND m.id = $2 ORDER BY ml.list_id",
      params, 10, "find mailing");
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Mailing>();
  Result<Mailing> mailing = records::MailingFromRow(rows->front(), 0, client_id, mailing_id);
  if (!mailing.ok()) return mailing.status();
  for (const SqlRow& row : *rows) {
    if (!row[9]) continue;  // NULL: no lists
    Result<int64_t> list_id = CellInt(row, 9);
    if (!list_id.ok()) return list_id.status();
    mailing->list_ids.push_back(*list_id);
  }
  return std::optional<Mailing>(std::move(*mailing));
}

Result<std::optional<Recipient>> SqlDirectory::FindRecipient(int64_t client_id, int64_t list_id,
                                                             std::string_view recipient_id) {
  StatementSession session(runner_);
  return records::FindRecipient(session, client_id, list_id, recipient_id);
}

Result<Suppression> SqlDirectory::CheckSuppression(int64_t client_id, int64_t list_id,
                                                   std::string_view address) {
  // Recipient IDs, blocklist patterns, unsubscribes and bounces are stored
  // lower-case (address.h); the one statement is the recipient operations'
  // (records.h), run here on its own.
  StatementSession session(runner_);
  return records::CheckSuppression(session, client_id, list_id, LowerAscii(address));
}

}  // namespace campaignd::store
