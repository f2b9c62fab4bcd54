#include "store/sqlite/sqlite_directory.h"

#include "core/address.h"
#include "core/fields.h"
#include "store/json_text.h"

namespace campaignd::store::sqlite {
namespace {

// Reads a JSON array column into `out`.
Status ReadStrings(const Statement& row, int column, std::string_view what,
                   std::vector<std::string>& out) {
  Result<std::vector<std::string>> strings = StringsFromJson(row.ColumnText(column), what);
  if (!strings.ok()) return strings.status();
  out = std::move(*strings);
  return Status::Ok();
}

Result<AuthCode> ReadCode(const Statement& row) {
  AuthCode code;
  code.client_id = row.ColumnInt(0);
  code.name = row.ColumnText(1);
  code.code_hash = row.ColumnText(2);
  code.list_id = row.ColumnInt(3);
  code.enabled = row.ColumnInt(4) != 0;
  const std::string what = "code '" + code.name + "' of client " + std::to_string(code.client_id);
  CAMPAIGND_RETURN_IF_ERROR(ReadStrings(row, 5, what, code.operations));
  CAMPAIGND_RETURN_IF_ERROR(ReadStrings(row, 6, what, code.ips));
  CAMPAIGND_RETURN_IF_ERROR(ReadStrings(row, 7, what, code.methods));
  CAMPAIGND_RETURN_IF_ERROR(ReadStrings(row, 8, what, code.protocols));
  CAMPAIGND_RETURN_IF_ERROR(ReadStrings(row, 9, what, code.redirect_hosts));
  return code;
}

Status ReadListFields(Database& db, int64_t client_id, int64_t list_id,
                      std::vector<FieldDef>& out) {
  Result<Statement> query = db.Prepare(
      "SELECT name, type FROM list_fields WHERE client_id = ?1 AND list_id = ?2 "
      "ORDER BY position",
      "find list fields");
  if (!query.ok()) return query.status();
  return query->BindInt(1, client_id).BindInt(2, list_id).ForEachRow([&] {
    out.push_back({query->ColumnText(0), query->ColumnText(1)});
    return Status::Ok();
  });
}

Status ReadMailingLists(Database& db, int64_t client_id, int64_t mailing_id,
                        std::vector<int64_t>& out) {
  Result<Statement> query = db.Prepare(
      "SELECT list_id FROM mailing_lists WHERE client_id = ?1 AND mailing_id = ?2 "
      "ORDER BY list_id",
      "find mailing lists");
  if (!query.ok()) return query.status();
  return query->BindInt(1, client_id).BindInt(2, mailing_id).ForEachRow([&] {
    out.push_back(query->ColumnInt(0));
    return Status::Ok();
  });
}

Result<Mailing> ReadMailing(const Statement& row, int64_t client_id, int64_t mailing_id) {
  Mailing m;
  m.client_id = client_id;
  m.id = mailing_id;
  m.name = row.ColumnText(0);
  const std::string what = "mailing " + std::to_string(mailing_id);
  std::optional<MailingType> type = ParseMailingType(row.ColumnText(1));
  std::optional<MailingStatus> status = ParseMailingStatus(row.ColumnText(2));
  if (!type || !status) return Status::Corruption(what + ": unknown type or status");
  m.type = *type;
  m.status = *status;
  m.target_group = row.ColumnText(3);
  m.from = row.ColumnText(4);
  m.reply_to = row.ColumnText(5);
  m.subject = row.ColumnText(6);
  m.text = row.ColumnText(7);
  m.html = row.ColumnText(8);
  return m;
}

// An exact (lower-case) blocklist entry, or a wildcard pattern that matches.
Result<bool> Blocked(Database& db, int64_t client_id, const std::string& address) {
  Result<Statement> query = db.Prepare(
      "SELECT pattern, is_wildcard FROM blocklist WHERE client_id = ?1 "
      "AND (pattern = ?2 AND is_wildcard = 0 OR is_wildcard = 1)",
      "check blocklist");
  if (!query.ok()) return query.status();
  bool blocked = false;
  CAMPAIGND_RETURN_IF_ERROR(query->BindInt(1, client_id).BindText(2, address).ForEachRow([&] {
    blocked = blocked || query->ColumnInt(1) == 0 ||
              MatchesPattern(query->ColumnText(0), address);
    return Status::Ok();
  }));
  return blocked;
}

// Unsubscribed in this list (recipient state) or client-wide.
Result<bool> Unsubscribed(Database& db, int64_t client_id, int64_t list_id,
                          const std::string& address) {
  Result<Statement> query = db.Prepare(
      "SELECT EXISTS (SELECT 1 FROM recipients WHERE client_id = ?1 AND list_id = ?2 "
      "                 AND recipient_id = ?3 AND state = 'unsubscribed') "
      "    OR EXISTS (SELECT 1 FROM unsubscribes WHERE client_id = ?1 AND address = ?3)",
      "check unsubscribes");
  if (!query.ok()) return query.status();
  Result<bool> row = query->BindInt(1, client_id).BindInt(2, list_id).BindText(3, address).Step();
  if (!row.ok()) return row.status();
  return query->ColumnInt(0) != 0;
}

Result<int> HardBounces(Database& db, int64_t client_id, const std::string& address) {
  Result<Statement> query = db.Prepare(
      "SELECT hard_bounces FROM bounces WHERE client_id = ?1 AND address = ?2", "check bounces");
  if (!query.ok()) return query.status();
  Result<bool> row = query->BindInt(1, client_id).BindText(2, address).Step();
  if (!row.ok()) return row.status();
  return *row ? static_cast<int>(query->ColumnInt(0)) : 0;
}

}  // namespace

Result<std::optional<AuthCode>> SqliteDirectory::FindCode(std::string_view code_hash) {
  Result<ReadPool::Lease> db = readers_.Checkout();
  if (!db.ok()) return db.status();
  Result<Statement> query = (*db)->Prepare(
      "SELECT client_id, name, code_hash, list_id, enabled, operations, ips, methods, "
      "protocols, redirect_hosts FROM codes WHERE code_hash = ?1",
      "find code");
  if (!query.ok()) return query.status();
  Result<bool> row = query->BindText(1, code_hash).Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<AuthCode>();
  Result<AuthCode> code = ReadCode(*query);
  if (!code.ok()) return code.status();
  return std::optional<AuthCode>(std::move(*code));
}

Result<std::optional<Client>> SqliteDirectory::FindClient(int64_t client_id) {
  Result<ReadPool::Lease> db = readers_.Checkout();
  if (!db.ok()) return db.status();
  Result<Statement> query = (*db)->Prepare(
      "SELECT name, transport, redirect_hosts, bounce_limit, rate_limit, mail_id_secret, "
      "attachments "
      "FROM clients WHERE id = ?1",
      "find client");
  if (!query.ok()) return query.status();
  Result<bool> row = query->BindInt(1, client_id).Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Client>();
  Client client;
  client.id = client_id;
  client.name = query->ColumnText(0);
  client.transport = query->ColumnText(1);
  CAMPAIGND_RETURN_IF_ERROR(ReadStrings(*query, 2, "client " + std::to_string(client_id),
                                        client.redirect_hosts));
  client.bounce_limit = static_cast<int>(query->ColumnInt(3));
  client.rate_limit = static_cast<int>(query->ColumnInt(4));
  client.mail_id_secret = query->ColumnBlob(5);
  client.attachments = query->ColumnInt(6) != 0;
  return std::optional<Client>(std::move(client));
}

Result<std::vector<DkimKey>> SqliteDirectory::FindDkimKeys(int64_t client_id) {
  Result<ReadPool::Lease> db = readers_.Checkout();
  if (!db.ok()) return db.status();
  Result<Statement> query = (*db)->Prepare(
      "SELECT domain, selector, algorithm, private_key_pem FROM dkim_keys WHERE client_id = ?1 "
      "ORDER BY domain, selector",
      "find DKIM keys");
  if (!query.ok()) return query.status();
  std::vector<DkimKey> keys;
  CAMPAIGND_RETURN_IF_ERROR(query->BindInt(1, client_id).ForEachRow([&] {
    keys.push_back({query->ColumnText(0), query->ColumnText(1), query->ColumnText(2),
                    query->ColumnText(3)});
    return Status::Ok();
  }));
  return keys;
}

Result<std::optional<RecipientList>> SqliteDirectory::FindList(int64_t client_id,
                                                               int64_t list_id) {
  Result<ReadPool::Lease> db = readers_.Checkout();
  if (!db.ok()) return db.status();
  ReadTransaction snapshot(**db);
  CAMPAIGND_RETURN_IF_ERROR(snapshot.status());
  RecipientList list;
  {
    Result<Statement> query = (*db)->Prepare(
        "SELECT name, kind, test FROM lists WHERE client_id = ?1 AND id = ?2", "find list");
    if (!query.ok()) return query.status();
    Result<bool> row = query->BindInt(1, client_id).BindInt(2, list_id).Step();
    if (!row.ok()) return row.status();
    if (!*row) return std::optional<RecipientList>();
    std::optional<ListKind> kind = ParseListKind(query->ColumnText(1));
    if (!kind) return Status::Corruption("list " + std::to_string(list_id) + ": unknown kind");
    list = {client_id, list_id, query->ColumnText(0), *kind, query->ColumnInt(2) != 0, {}};
  }
  CAMPAIGND_RETURN_IF_ERROR(ReadListFields(**db, client_id, list_id, list.fields));
  return std::optional<RecipientList>(std::move(list));
}

Result<std::optional<Mailing>> SqliteDirectory::FindMailing(int64_t client_id,
                                                            int64_t mailing_id) {
  Result<ReadPool::Lease> db = readers_.Checkout();
  if (!db.ok()) return db.status();
  ReadTransaction snapshot(**db);
  CAMPAIGND_RETURN_IF_ERROR(snapshot.status());
  Mailing mailing;
  {
    Result<Statement> query = (*db)->Prepare(
        "SELECT name, type, status, target_group, from_address, reply_to, subject, text_body, "
        "html_body FROM mailings WHERE client_id = ?1 AND id = ?2",
        "find mailing");
    if (!query.ok()) return query.status();
    Result<bool> row = query->BindInt(1, client_id).BindInt(2, mailing_id).Step();
    if (!row.ok()) return row.status();
    if (!*row) return std::optional<Mailing>();
    Result<Mailing> read = ReadMailing(*query, client_id, mailing_id);
    if (!read.ok()) return read.status();
    mailing = std::move(*read);
  }
  CAMPAIGND_RETURN_IF_ERROR(ReadMailingLists(**db, client_id, mailing_id, mailing.list_ids));
  return std::optional<Mailing>(std::move(mailing));
}

Result<std::optional<Recipient>> SqliteDirectory::FindRecipient(int64_t client_id,
                                                                int64_t list_id,
                                                                std::string_view recipient_id) {
  Result<ReadPool::Lease> db = readers_.Checkout();
  if (!db.ok()) return db.status();
  Result<Statement> query = (*db)->Prepare(
      "SELECT fields, state FROM recipients "
      "WHERE client_id = ?1 AND list_id = ?2 AND recipient_id = ?3",
      "find recipient");
  if (!query.ok()) return query.status();
  Result<bool> row =
      query->BindInt(1, client_id).BindInt(2, list_id).BindText(3, recipient_id).Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Recipient>();
  const std::string what = "recipient " + std::string(recipient_id) + " of list " +
                           std::to_string(list_id);
  Result<FieldValues> fields = FieldsFromJson(query->ColumnText(0), what);
  if (!fields.ok()) return fields.status();
  std::optional<RecipientState> state = ParseRecipientState(query->ColumnText(1));
  if (!state) return Status::Corruption(what + ": unknown state");
  return std::optional<Recipient>(
      Recipient{list_id, std::string(recipient_id), std::move(*fields), *state});
}

Result<Suppression> SqliteDirectory::CheckSuppression(int64_t client_id, int64_t list_id,
                                                      std::string_view address) {
  Result<ReadPool::Lease> db = readers_.Checkout();
  if (!db.ok()) return db.status();
  ReadTransaction snapshot(**db);
  CAMPAIGND_RETURN_IF_ERROR(snapshot.status());
  // Recipient IDs are normalised (lower-case ASCII, address.h); blocklist
  // patterns, unsubscribes and bounces are stored lower-case.
  const std::string lower = LowerAscii(address);
  Suppression result;
  Result<bool> blocked = Blocked(**db, client_id, lower);
  if (!blocked.ok()) return blocked.status();
  result.blocked = *blocked;
  Result<bool> unsubscribed = Unsubscribed(**db, client_id, list_id, lower);
  if (!unsubscribed.ok()) return unsubscribed.status();
  result.unsubscribed = *unsubscribed;
  Result<int> bounces = HardBounces(**db, client_id, lower);
  if (!bounces.ok()) return bounces.status();
  result.hard_bounces = *bounces;
  return result;
}

}  // namespace campaignd::store::sqlite
