#include "store/postgres/pg_directory.h"

#include "core/address.h"
#include "core/fields.h"
#include "store/json_text.h"

namespace campaignd::store::postgres {
namespace {

// Reads a JSON array column into `out`.
Status ReadStrings(const PgResult& rows, int row, int column, std::string_view what,
                   std::vector<std::string>& out) {
  Result<std::vector<std::string>> strings = StringsFromJson(rows.Text(row, column), what);
  if (!strings.ok()) return strings.status();
  out = std::move(*strings);
  return Status::Ok();
}

Result<AuthCode> ReadCode(const PgResult& rows) {
  AuthCode code;
  code.client_id = rows.Int(0, 0);
  code.name = rows.Text(0, 1);
  code.code_hash = rows.Text(0, 2);
  code.list_id = rows.Int(0, 3);
  code.enabled = rows.Int(0, 4) != 0;
  const std::string what = "code '" + code.name + "' of client " + std::to_string(code.client_id);
  std::vector<std::string>* lists[] = {&code.operations, &code.ips, &code.methods,
                                       &code.protocols, &code.redirect_hosts};
  for (int i = 0; i < 5; ++i) CAMPAIGND_RETURN_IF_ERROR(ReadStrings(rows, 0, 5 + i, what, *lists[i]));
  return code;
}

// Columns 0..8 of row 0: name .. html_body.
Result<Mailing> ReadMailing(const PgResult& rows, int64_t client_id, int64_t mailing_id) {
  Mailing m;
  m.client_id = client_id;
  m.id = mailing_id;
  m.name = rows.Text(0, 0);
  std::optional<MailingType> type = ParseMailingType(rows.Text(0, 1));
  std::optional<MailingStatus> status = ParseMailingStatus(rows.Text(0, 2));
  if (!type || !status) {
    return Status::Corruption("mailing " + std::to_string(mailing_id) + ": unknown type or status");
  }
  m.type = *type;
  m.status = *status;
  m.target_group = rows.Text(0, 3);
  m.from = rows.Text(0, 4);
  m.reply_to = rows.Text(0, 5);
  m.subject = rows.Text(0, 6);
  m.text = rows.Text(0, 7);
  m.html = rows.Text(0, 8);
  return m;
}

}  // namespace

Result<PgResult> PgDirectory::Run(std::string_view sql, const Params& params,
                                  std::string_view purpose) {
  Result<Pool::Lease> conn = pool_.Checkout();
  if (!conn.ok()) return conn.status();
  return (*conn)->Query(sql, params, purpose);
}

Result<std::optional<AuthCode>> PgDirectory::FindCode(std::string_view code_hash) {
  Result<PgResult> rows = Run(
      "SELECT client_id, name, code_hash, list_id, enabled, operations, ips, methods, "
      "protocols, redirect_hosts FROM codes WHERE code_hash = $1",
      Params().Text(code_hash), "find code");
  if (!rows.ok()) return rows.status();
  if (rows->rows() == 0) return std::optional<AuthCode>();
  Result<AuthCode> code = ReadCode(*rows);
  if (!code.ok()) return code.status();
  return std::optional<AuthCode>(std::move(*code));
}

Result<std::optional<Client>> PgDirectory::FindClient(int64_t client_id) {
  Result<PgResult> rows = Run(
      "SELECT name, transport, redirect_hosts, bounce_limit, rate_limit, mail_id_secret, "
      "attachments "
      "FROM clients WHERE id = $1",
      Params().Int(client_id), "find client");
  if (!rows.ok()) return rows.status();
  if (rows->rows() == 0) return std::optional<Client>();
  Client client;
  client.id = client_id;
  client.name = rows->Text(0, 0);
  client.transport = rows->Text(0, 1);
  CAMPAIGND_RETURN_IF_ERROR(
      ReadStrings(*rows, 0, 2, "client " + std::to_string(client_id), client.redirect_hosts));
  client.bounce_limit = static_cast<int>(rows->Int(0, 3));
  client.rate_limit = static_cast<int>(rows->Int(0, 4));
  client.mail_id_secret = rows->Bytes(0, 5);
  client.attachments = rows->Int(0, 6) != 0;
  return std::optional<Client>(std::move(client));
}

Result<std::vector<DkimKey>> PgDirectory::FindDkimKeys(int64_t client_id) {
  Result<PgResult> rows = Run(
      "SELECT domain, selector, algorithm, private_key_pem FROM dkim_keys WHERE client_id = $1 "
      "ORDER BY domain, selector",
      Params().Int(client_id), "find DKIM keys");
  if (!rows.ok()) return rows.status();
  std::vector<DkimKey> keys;
  for (int i = 0; i < rows->rows(); ++i) {
    keys.push_back({rows->Text(i, 0), rows->Text(i, 1), rows->Text(i, 2), rows->Text(i, 3)});
  }
  return keys;
}

Result<std::optional<RecipientList>> PgDirectory::FindList(int64_t client_id, int64_t list_id) {
  Result<PgResult> rows = Run(
      "SELECT l.name, l.kind, l.test, f.name, f.type FROM lists l LEFT JOIN list_fields f "
      "ON f.client_id = l.client_id AND f.list_id = l.id "
      "WHERE l.client_id = $1 AND l.id = $2 ORDER BY f.position",
      Params().Int(client_id).Int(list_id), "find list");
  if (!rows.ok()) return rows.status();
  if (rows->rows() == 0) return std::optional<RecipientList>();
  std::optional<ListKind> kind = ParseListKind(rows->Text(0, 1));
  if (!kind) return Status::Corruption("list " + std::to_string(list_id) + ": unknown kind");
  RecipientList list{client_id, list_id, rows->Text(0, 0), *kind, rows->Int(0, 2) != 0, {}};
  for (int i = 0; i < rows->rows(); ++i) {
    if (!rows->IsNull(i, 3)) list.fields.push_back({rows->Text(i, 3), rows->Text(i, 4)});
  }
  return std::optional<RecipientList>(std::move(list));
}

Result<std::optional<Mailing>> PgDirectory::FindMailing(int64_t client_id, int64_t mailing_id) {
  Result<PgResult> rows = Run(
      "SELECT m.name, m.type, m.status, m.target_group, m.from_address, m.reply_to, m.subject, "
      "m.text_body, m.html_body, ml.list_id FROM mailings m LEFT JOIN mailing_lists ml "
      "ON ml.client_id = m.client_id AND ml.mailing_id = m.id "
      "WHERE m.client_id = $1 AND m.id = $2 ORDER BY ml.list_id",
      Params().Int(client_id).Int(mailing_id), "find mailing");
  if (!rows.ok()) return rows.status();
  if (rows->rows() == 0) return std::optional<Mailing>();
  Result<Mailing> mailing = ReadMailing(*rows, client_id, mailing_id);
  if (!mailing.ok()) return mailing.status();
  for (int i = 0; i < rows->rows(); ++i) {
    if (!rows->IsNull(i, 9)) mailing->list_ids.push_back(rows->Int(i, 9));
  }
  return std::optional<Mailing>(std::move(*mailing));
}

Result<std::optional<Recipient>> PgDirectory::FindRecipient(int64_t client_id, int64_t list_id,
                                                            std::string_view recipient_id) {
  Result<PgResult> rows = Run(
      "SELECT fields, state FROM recipients "
      "WHERE client_id = $1 AND list_id = $2 AND recipient_id = $3",
      Params().Int(client_id).Int(list_id).Text(recipient_id), "find recipient");
  if (!rows.ok()) return rows.status();
  if (rows->rows() == 0) return std::optional<Recipient>();
  const std::string what =
      "recipient " + std::string(recipient_id) + " of list " + std::to_string(list_id);
  Result<FieldValues> fields = FieldsFromJson(rows->Text(0, 0), what);
  if (!fields.ok()) return fields.status();
  std::optional<RecipientState> state = ParseRecipientState(rows->Text(0, 1));
  if (!state) return Status::Corruption(what + ": unknown state");
  return std::optional<Recipient>(
      Recipient{list_id, std::string(recipient_id), std::move(*fields), *state});
}

Result<Suppression> PgDirectory::CheckSuppression(int64_t client_id, int64_t list_id,
                                                  std::string_view address) {
  // Recipient IDs are normalised (lower-case ASCII, address.h); blocklist
  // patterns, unsubscribes and bounces are stored lower-case. Wildcard
  // patterns are matched here, with the same MatchesPattern as SQLite.
  const std::string lower = LowerAscii(address);
  Result<PgResult> rows = Run(
      "SELECT EXISTS (SELECT 1 FROM blocklist WHERE client_id = $1 AND pattern = $3 "
      "                 AND is_wildcard = 0), "
      "  coalesce((SELECT json_agg(pattern) FROM blocklist "
      "            WHERE client_id = $1 AND is_wildcard = 1), '[]'), "
      "  EXISTS (SELECT 1 FROM recipients WHERE client_id = $1 AND list_id = $2 "
      "            AND recipient_id = $3 AND state = 'unsubscribed') "
      "    OR EXISTS (SELECT 1 FROM unsubscribes WHERE client_id = $1 AND address = $3), "
      "  coalesce((SELECT hard_bounces FROM bounces WHERE client_id = $1 AND address = $3), 0)",
      Params().Int(client_id).Int(list_id).Text(lower), "check suppression");
  if (!rows.ok()) return rows.status();
  Suppression result;
  result.blocked = rows->Bool(0, 0);
  Result<std::vector<std::string>> patterns =
      StringsFromJson(rows->Text(0, 1), "blocklist of client " + std::to_string(client_id));
  if (!patterns.ok()) return patterns.status();
  for (const std::string& pattern : *patterns) {
    result.blocked = result.blocked || MatchesPattern(pattern, lower);
  }
  result.unsubscribed = rows->Bool(0, 2);
  result.hard_bounces = static_cast<int>(rows->Int(0, 3));
  return result;
}

}  // namespace campaignd::store::postgres
