#include "store/sqlite/apply_client.h"

#include "store/json_text.h"

namespace campaignd::store::sqlite {
namespace {

// Binds ?1 client and ?2 name .. ?9 enabled, the columns every code write sets
// (the hash, when written, is ?10).
Status BindCodeColumns(Statement& statement, int64_t client_id, const AuthCode& code) {
  const std::vector<std::string>* lists[] = {&code.operations, &code.ips, &code.methods,
                                             &code.protocols, &code.redirect_hosts};
  statement.BindInt(1, client_id).BindText(2, code.name).BindInt(3, code.list_id);
  int index = 4;
  for (const std::vector<std::string>* list : lists) {
    Result<std::string> json = StringsToJson(*list);
    if (!json.ok()) return json.status();
    statement.BindText(index++, *json);
  }
  statement.BindInt(9, code.enabled ? 1 : 0);
  return Status::Ok();
}

}  // namespace

Result<bool> SqliteSpecWriter::ClientExists(int64_t client_id) {
  Result<Statement> query = db_.Prepare("SELECT 1 FROM clients WHERE id = ?1", "find client");
  if (!query.ok()) return query.status();
  return query->BindInt(1, client_id).Step();
}

// An existing client keeps its secret, so the two cases are two statements
// (an upsert would check the new row's secret even when it updates).
Status SqliteSpecWriter::WriteClient(const Client& client, bool exists) {
  Result<std::string> hosts = StringsToJson(client.redirect_hosts);
  if (!hosts.ok()) return hosts.status();
  Result<Statement> write =
      exists ? db_.Prepare("UPDATE clients SET name = ?2, transport = ?3, redirect_hosts = ?4, "
                           "bounce_limit = ?5, rate_limit = ?6, attachments = ?8 WHERE id = ?1",
                           "update client")
             : db_.Prepare("INSERT INTO clients (id, name, transport, redirect_hosts, "
                           "bounce_limit, rate_limit, mail_id_secret, attachments) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                           "insert client");
  if (!write.ok()) return write.status();
  write->BindInt(1, client.id)
      .BindText(2, client.name)
      .BindText(3, client.transport)
      .BindText(4, *hosts)
      .BindInt(5, client.bounce_limit)
      .BindInt(6, client.rate_limit)
      .BindInt(8, client.attachments ? 1 : 0);
  if (!exists) write->BindBlob(7, client.mail_id_secret);
  return write->Run();
}

Status SqliteSpecWriter::UpsertDkimKey(int64_t client_id, const DkimKey& key) {
  Result<Statement> upsert = db_.Prepare(
      "INSERT INTO dkim_keys (client_id, domain, selector, algorithm, private_key_pem) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (client_id, domain, selector) DO UPDATE SET "
      "algorithm = excluded.algorithm, private_key_pem = excluded.private_key_pem",
      "upsert DKIM key");
  if (!upsert.ok()) return upsert.status();
  return upsert->BindInt(1, client_id)
      .BindText(2, key.domain)
      .BindText(3, key.selector)
      .BindText(4, key.algorithm)
      .BindText(5, key.private_key_pem)
      .Run();
}

Status SqliteSpecWriter::ReplaceListFields(int64_t client_id, const RecipientList& list) {
  Result<Statement> clear = db_.Prepare(
      "DELETE FROM list_fields WHERE client_id = ?1 AND list_id = ?2", "clear list fields");
  if (!clear.ok()) return clear.status();
  CAMPAIGND_RETURN_IF_ERROR(clear->BindInt(1, client_id).BindInt(2, list.id).Run());
  for (std::size_t i = 0; i < list.fields.size(); ++i) {
    Result<Statement> insert = db_.Prepare(
        "INSERT INTO list_fields (client_id, list_id, position, name, type) "
        "VALUES (?1, ?2, ?3, ?4, ?5)",
        "insert list field");
    if (!insert.ok()) return insert.status();
    CAMPAIGND_RETURN_IF_ERROR(insert->BindInt(1, client_id)
                                  .BindInt(2, list.id)
                                  .BindInt(3, static_cast<int64_t>(i))
                                  .BindText(4, list.fields[i].name)
                                  .BindText(5, list.fields[i].type)
                                  .Run());
  }
  return Status::Ok();
}

Status SqliteSpecWriter::UpsertList(int64_t client_id, const RecipientList& list) {
  Result<Statement> upsert = db_.Prepare(
      "INSERT INTO lists (client_id, id, name, kind, test) VALUES (?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT (client_id, id) DO UPDATE SET name = excluded.name, kind = excluded.kind, "
      "test = excluded.test",
      "upsert list");
  if (!upsert.ok()) return upsert.status();
  CAMPAIGND_RETURN_IF_ERROR(upsert->BindInt(1, client_id)
                                .BindInt(2, list.id)
                                .BindText(3, list.name)
                                .BindText(4, Name(list.kind))
                                .BindInt(5, list.test ? 1 : 0)
                                .Run());
  return ReplaceListFields(client_id, list);
}

Status SqliteSpecWriter::UpsertRecipient(int64_t client_id, const Recipient& recipient) {
  Result<std::string> fields = FieldsToJson(recipient.fields);
  if (!fields.ok()) return fields.status();
  Result<Statement> upsert = db_.Prepare(
      "INSERT INTO recipients (client_id, list_id, recipient_id, fields, state) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (client_id, list_id, recipient_id) DO UPDATE "
      "SET fields = excluded.fields, state = excluded.state",
      "upsert recipient");
  if (!upsert.ok()) return upsert.status();
  return upsert->BindInt(1, client_id)
      .BindInt(2, recipient.list_id)
      .BindText(3, recipient.id)
      .BindText(4, *fields)
      .BindText(5, Name(recipient.state))
      .Run();
}

Status SqliteSpecWriter::ReplaceMailingLists(int64_t client_id, const Mailing& mailing) {
  Result<Statement> clear = db_.Prepare(
      "DELETE FROM mailing_lists WHERE client_id = ?1 AND mailing_id = ?2",
      "clear mailing lists");
  if (!clear.ok()) return clear.status();
  CAMPAIGND_RETURN_IF_ERROR(clear->BindInt(1, client_id).BindInt(2, mailing.id).Run());
  for (int64_t list_id : mailing.list_ids) {
    Result<Statement> insert = db_.Prepare(
        "INSERT INTO mailing_lists (client_id, mailing_id, list_id) VALUES (?1, ?2, ?3)",
        "assign mailing to list");
    if (!insert.ok()) return insert.status();
    CAMPAIGND_RETURN_IF_ERROR(
        insert->BindInt(1, client_id).BindInt(2, mailing.id).BindInt(3, list_id).Run());
  }
  return Status::Ok();
}

Status SqliteSpecWriter::UpsertMailing(int64_t client_id, const Mailing& m) {
  Result<Statement> upsert = db_.Prepare(
      "INSERT INTO mailings (client_id, id, name, type, status, target_group, from_address, "
      "reply_to, subject, text_body, html_body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
      "?10, ?11) ON CONFLICT (client_id, id) DO UPDATE SET name = excluded.name, "
      "type = excluded.type, status = excluded.status, target_group = excluded.target_group, "
      "from_address = excluded.from_address, reply_to = excluded.reply_to, "
      "subject = excluded.subject, text_body = excluded.text_body, html_body = excluded.html_body",
      "upsert mailing");
  if (!upsert.ok()) return upsert.status();
  CAMPAIGND_RETURN_IF_ERROR(upsert->BindInt(1, client_id)
                                .BindInt(2, m.id)
                                .BindText(3, m.name)
                                .BindText(4, Name(m.type))
                                .BindText(5, Name(m.status))
                                .BindText(6, m.target_group)
                                .BindText(7, m.from)
                                .BindText(8, m.reply_to)
                                .BindText(9, m.subject)
                                .BindText(10, m.text)
                                .BindText(11, m.html)
                                .Run());
  return ReplaceMailingLists(client_id, m);
}

Result<bool> SqliteSpecWriter::WriteCode(int64_t client_id, const AuthCode& code) {
  if (code.code_hash.empty()) {
    Result<Statement> update = db_.Prepare(
        "UPDATE codes SET list_id = ?3, operations = ?4, ips = ?5, methods = ?6, "
        "protocols = ?7, redirect_hosts = ?8, enabled = ?9 WHERE client_id = ?1 AND name = ?2",
        "update code permissions");
    if (!update.ok()) return update.status();
    CAMPAIGND_RETURN_IF_ERROR(BindCodeColumns(*update, client_id, code));
    CAMPAIGND_RETURN_IF_ERROR(update->Run());
    return db_.Changes() > 0;
  }
  Result<Statement> upsert = db_.Prepare(
      "INSERT INTO codes (client_id, name, list_id, operations, ips, methods, protocols, "
      "redirect_hosts, enabled, code_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
      "ON CONFLICT (client_id, name) DO UPDATE SET list_id = excluded.list_id, "
      "operations = excluded.operations, ips = excluded.ips, methods = excluded.methods, "
      "protocols = excluded.protocols, redirect_hosts = excluded.redirect_hosts, "
      "enabled = excluded.enabled, code_hash = excluded.code_hash",
      "upsert code");
  if (!upsert.ok()) return upsert.status();
  CAMPAIGND_RETURN_IF_ERROR(BindCodeColumns(*upsert, client_id, code));
  CAMPAIGND_RETURN_IF_ERROR(upsert->BindText(10, code.code_hash).Run());
  return true;
}

Status SqliteSpecWriter::UpsertBlockEntry(int64_t client_id, const BlockEntry& entry) {
  Result<Statement> upsert = db_.Prepare(
      "INSERT INTO blocklist (client_id, pattern, reason, is_wildcard) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (client_id, pattern) DO UPDATE SET reason = excluded.reason",
      "upsert blocklist entry");
  if (!upsert.ok()) return upsert.status();
  return upsert->BindInt(1, client_id)
      .BindText(2, entry.pattern)
      .BindText(3, entry.reason)
      .BindInt(4, IsWildcardPattern(entry.pattern) ? 1 : 0)
      .Run();
}

Status SqliteSpecWriter::SetBounces(int64_t client_id, std::string_view address, int count) {
  Result<Statement> upsert = db_.Prepare(
      "INSERT INTO bounces (client_id, address, hard_bounces) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (client_id, address) DO UPDATE SET hard_bounces = excluded.hard_bounces",
      "set bounces");
  if (!upsert.ok()) return upsert.status();
  return upsert->BindInt(1, client_id).BindText(2, address).BindInt(3, count).Run();
}

Status SqliteSpecWriter::UpsertOptIn(int64_t client_id, const OptInProcess& p) {
  Result<Statement> upsert = db_.Prepare(
      "INSERT INTO optin_processes (client_id, id, name, kind, mailing_id, confirmation_url) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (client_id, id) DO UPDATE SET "
      "name = excluded.name, kind = excluded.kind, mailing_id = excluded.mailing_id, "
      "confirmation_url = excluded.confirmation_url",
      "upsert opt-in process");
  if (!upsert.ok()) return upsert.status();
  return upsert->BindInt(1, client_id)
      .BindInt(2, p.id)
      .BindText(3, p.name)
      .BindText(4, Name(p.kind))
      .BindInt(5, p.mailing_id)
      .BindText(6, p.confirmation_url)
      .Run();
}

}  // namespace campaignd::store::sqlite
