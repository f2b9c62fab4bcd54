#include "store/postgres/pg_apply_client.h"

#include "store/json_text.h"

namespace campaignd::store::postgres {
namespace {

// $1 client, $2 name .. $9 enabled: the columns every code write sets.
Status CodeParams(Params& params, int64_t client_id, const AuthCode& code) {
  params.Int(client_id).Text(code.name).Int(code.list_id);
  for (const std::vector<std::string>* list :
       {&code.operations, &code.ips, &code.methods, &code.protocols, &code.redirect_hosts}) {
    Result<std::string> json = StringsToJson(*list);
    if (!json.ok()) return json.status();
    params.Text(*json);
  }
  params.Int(code.enabled ? 1 : 0);
  return Status::Ok();
}

}  // namespace

Result<int64_t> PgSpecWriter::Write(std::string_view sql, const Params& params,
                                    std::string_view purpose) {
  Result<PgResult> result = conn_.Query(sql, params, purpose);
  if (!result.ok()) return result.status();
  return result->affected();
}

Result<bool> PgSpecWriter::ClientExists(int64_t client_id) {
  Result<PgResult> rows =
      conn_.Query("SELECT 1 FROM clients WHERE id = $1", Params().Int(client_id), "find client");
  if (!rows.ok()) return rows.status();
  return rows->rows() > 0;
}

Status PgSpecWriter::WriteClient(const Client& client, bool exists) {
  Result<std::string> hosts = StringsToJson(client.redirect_hosts);
  if (!hosts.ok()) return hosts.status();
  Params params;
  params.Int(client.id)
      .Text(client.name)
      .Text(client.transport)
      .Text(*hosts)
      .Int(client.bounce_limit)
      .Int(client.rate_limit)
      .Int(client.attachments ? 1 : 0);
  if (exists) {
    return Write("UPDATE clients SET name = $2, transport = $3, redirect_hosts = $4, "
                 "bounce_limit = $5, rate_limit = $6, attachments = $7 WHERE id = $1",
                 params, "update client")
        .status();
  }
  params.Bytes(client.mail_id_secret);
  return Write("INSERT INTO clients (id, name, transport, redirect_hosts, bounce_limit, "
               "rate_limit, attachments, mail_id_secret) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
               params, "insert client")
      .status();
}

Status PgSpecWriter::UpsertDkimKey(int64_t client_id, const DkimKey& key) {
  return Write(
             "INSERT INTO dkim_keys (client_id, domain, selector, algorithm, private_key_pem) "
             "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (client_id, domain, selector) DO UPDATE "
             "SET algorithm = excluded.algorithm, private_key_pem = excluded.private_key_pem",
             Params()
                 .Int(client_id)
                 .Text(key.domain)
                 .Text(key.selector)
                 .Text(key.algorithm)
                 .Text(key.private_key_pem),
             "upsert DKIM key")
      .status();
}

Status PgSpecWriter::UpsertList(int64_t client_id, const RecipientList& list) {
  CAMPAIGND_RETURN_IF_ERROR(
      Write("INSERT INTO lists (client_id, id, name, kind, test) VALUES ($1, $2, $3, $4, $5) "
            "ON CONFLICT (client_id, id) DO UPDATE SET name = excluded.name, "
            "kind = excluded.kind, test = excluded.test",
            Params().Int(client_id).Int(list.id).Text(list.name).Text(Name(list.kind)).Int(
                list.test ? 1 : 0),
            "upsert list")
          .status());
  CAMPAIGND_RETURN_IF_ERROR(
      Write("DELETE FROM list_fields WHERE client_id = $1 AND list_id = $2",
            Params().Int(client_id).Int(list.id), "clear list fields")
          .status());
  if (list.fields.empty()) return Status::Ok();
  std::vector<std::string> names, types;
  for (const FieldDef& field : list.fields) {
    names.push_back(field.name);
    types.push_back(field.type);
  }
  return Write("INSERT INTO list_fields (client_id, list_id, position, name, type) "
               "SELECT $1, $2, f.position - 1, f.name, f.type "
               "FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS f(name, type, position)",
               Params().Int(client_id).Int(list.id).TextArray(names).TextArray(types),
               "insert list fields")
      .status();
}

Status PgSpecWriter::UpsertRecipient(int64_t client_id, const Recipient& recipient) {
  Result<std::string> fields = FieldsToJson(recipient.fields);
  if (!fields.ok()) return fields.status();
  return Write("INSERT INTO recipients (client_id, list_id, recipient_id, fields, state) "
               "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (client_id, list_id, recipient_id) "
               "DO UPDATE SET fields = excluded.fields, state = excluded.state",
               Params()
                   .Int(client_id)
                   .Int(recipient.list_id)
                   .Text(recipient.id)
                   .Text(*fields)
                   .Text(Name(recipient.state)),
               "upsert recipient")
      .status();
}

Status PgSpecWriter::UpsertMailing(int64_t client_id, const Mailing& m) {
  CAMPAIGND_RETURN_IF_ERROR(
      Write("INSERT INTO mailings (client_id, id, name, type, status, target_group, "
            "from_address, reply_to, subject, text_body, html_body) VALUES ($1, $2, $3, $4, "
            "$5, $6, $7, $8, $9, $10, $11) ON CONFLICT (client_id, id) DO UPDATE SET "
            "name = excluded.name, type = excluded.type, status = excluded.status, "
            "target_group = excluded.target_group, from_address = excluded.from_address, "
            "reply_to = excluded.reply_to, subject = excluded.subject, "
            "text_body = excluded.text_body, html_body = excluded.html_body",
            Params()
                .Int(client_id)
                .Int(m.id)
                .Text(m.name)
                .Text(Name(m.type))
                .Text(Name(m.status))
                .Text(m.target_group)
                .Text(m.from)
                .Text(m.reply_to)
                .Text(m.subject)
                .Text(m.text)
                .Text(m.html),
            "upsert mailing")
          .status());
  CAMPAIGND_RETURN_IF_ERROR(
      Write("DELETE FROM mailing_lists WHERE client_id = $1 AND mailing_id = $2",
            Params().Int(client_id).Int(m.id), "clear mailing lists")
          .status());
  if (m.list_ids.empty()) return Status::Ok();
  return Write("INSERT INTO mailing_lists (client_id, mailing_id, list_id) "
               "SELECT $1, $2, unnest($3::bigint[])",
               Params().Int(client_id).Int(m.id).IntArray(m.list_ids), "assign mailing to lists")
      .status();
}

Result<bool> PgSpecWriter::WriteCode(int64_t client_id, const AuthCode& code) {
  Params params;
  CAMPAIGND_RETURN_IF_ERROR(CodeParams(params, client_id, code));
  if (code.code_hash.empty()) {
    Result<int64_t> updated = Write(
        "UPDATE codes SET list_id = $3, operations = $4, ips = $5, methods = $6, "
        "protocols = $7, redirect_hosts = $8, enabled = $9 WHERE client_id = $1 AND name = $2",
        params, "update code permissions");
    if (!updated.ok()) return updated.status();
    return *updated > 0;
  }
  params.Text(code.code_hash);
  Result<int64_t> upserted = Write(
      "INSERT INTO codes (client_id, name, list_id, operations, ips, methods, protocols, "
      "redirect_hosts, enabled, code_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
      "ON CONFLICT (client_id, name) DO UPDATE SET list_id = excluded.list_id, "
      "operations = excluded.operations, ips = excluded.ips, methods = excluded.methods, "
      "protocols = excluded.protocols, redirect_hosts = excluded.redirect_hosts, "
      "enabled = excluded.enabled, code_hash = excluded.code_hash",
      params, "upsert code");
  if (!upserted.ok()) return upserted.status();
  return true;
}

Status PgSpecWriter::UpsertBlockEntry(int64_t client_id, const BlockEntry& entry) {
  return Write("INSERT INTO blocklist (client_id, pattern, reason, is_wildcard) "
               "VALUES ($1, $2, $3, $4) ON CONFLICT (client_id, pattern) DO UPDATE "
               "SET reason = excluded.reason",
               Params().Int(client_id).Text(entry.pattern).Text(entry.reason).Int(
                   IsWildcardPattern(entry.pattern) ? 1 : 0),
               "upsert blocklist entry")
      .status();
}

Status PgSpecWriter::SetBounces(int64_t client_id, std::string_view address, int count) {
  return Write("INSERT INTO bounces (client_id, address, hard_bounces) VALUES ($1, $2, $3) "
               "ON CONFLICT (client_id, address) DO UPDATE "
               "SET hard_bounces = excluded.hard_bounces",
               Params().Int(client_id).Text(address).Int(count), "set bounces")
      .status();
}

Status PgSpecWriter::UpsertOptIn(int64_t client_id, const OptInProcess& p) {
  return Write("INSERT INTO optin_processes (client_id, id, name, kind, mailing_id, "
               "confirmation_url) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (client_id, id) "
               "DO UPDATE SET name = excluded.name, kind = excluded.kind, "
               "mailing_id = excluded.mailing_id, confirmation_url = excluded.confirmation_url",
               Params().Int(client_id).Int(p.id).Text(p.name).Text(Name(p.kind)).Int(
                   p.mailing_id).Text(p.confirmation_url),
               "upsert opt-in process")
      .status();
}

}  // namespace campaignd::store::postgres
