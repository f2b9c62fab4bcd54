// Rules of Apply (store.h Provisioner), per record kind:
//   client      upsert by id; mail_id_secret only written when the client is
//               new (a new client without one is refused)
//   DKIM keys   upsert by (lower-cased domain, selector)
//   lists       upsert by id; the field schema (names lower-cased) is
//               replaced by the spec's
//   recipients  upsert by (list, recipient id); fields and state replaced
//   mailings    upsert by id; list assignments replaced by the spec's
//   codes       upsert by name; a non-empty code_hash replaces the stored
//               hash, an empty one keeps it (a new code needs one)
//   blocklist   upsert by lower-cased pattern (reason replaced)
//   bounces     hard-bounce count set, keyed by lower-cased address
//   opt-ins     upsert by id; confirmed and double need a confirmation mailing
// A record's client_id, when set (non-zero), must be the spec's client.
// The writes are records.h's, inside Apply's one write transaction.
#include <string>

#include "core/fields.h"
#include "store/sql/catalog.h"
#include "store/sql/provisioner_webhooks.h"
#include "store/sql/records.h"
#include "store/store.h"

namespace campaignd::store {
namespace {

using records::Write;

Status CheckOwner(int64_t record_client_id, int64_t client_id, std::string_view what) {
  if (record_client_id == 0 || record_client_id == client_id) return Status::Ok();
  return Status::InvalidArgument(std::string(what) + " names client " +
                                 std::to_string(record_client_id));
}

Status WriteClient(SqlSession& s, const Client& client) {
  Result<bool> exists = catalog_sql::Exists(s, "clients", 0, client.id);
  if (!exists.ok()) return exists.status();
  if (!*exists && client.mail_id_secret.empty()) {
    return Status::InvalidArgument("new client needs a mail_id_secret");
  }
  if (client.rate_limit < 0) return Status::InvalidArgument("rate_limit must not be negative");
  return records::WriteClient(s, client, *exists ? Write::kUpdate : Write::kInsert).status();
}

Status WriteList(SqlSession& s, int64_t client_id, RecipientList list) {
  CAMPAIGND_RETURN_IF_ERROR(CheckOwner(list.client_id, client_id, "list"));
  for (FieldDef& field : list.fields) field.name = LowerAscii(field.name);
  return records::WriteList(s, client_id, list, Write::kUpsert).status();
}

// With a code_hash: upserted by (client, name), hash included. Without: the
// permissions of an existing code only.
Status WriteCode(SqlSession& s, int64_t client_id, const AuthCode& code) {
  CAMPAIGND_RETURN_IF_ERROR(CheckOwner(code.client_id, client_id, "code"));
  Result<int64_t> written = records::WriteCode(
      s, client_id, code, code.code_hash.empty() ? Write::kUpdate : Write::kUpsert);
  if (!written.ok()) return written.status();
  if (*written == 0) return Status::InvalidArgument("a new code needs a code_hash");
  return Status::Ok();
}

Status WriteOptIn(SqlSession& s, int64_t client_id, const OptInProcess& process) {
  CAMPAIGND_RETURN_IF_ERROR(CheckOwner(process.client_id, client_id, "opt-in process"));
  if (process.id <= 0) return Status::InvalidArgument("id must be positive");
  if (process.kind != OptInKind::kSingle && process.mailing_id <= 0) {
    return Status::InvalidArgument(std::string(Name(process.kind)) +
                                   " opt-in needs a confirmation mailing");
  }
  return records::WriteOptIn(s, client_id, process, Write::kUpsert).status();
}

// A webhook of the file: updated when it exists (its signing secret and
// state kept), else inserted activated with the secret apply generated.
Status WriteWebhook(SqlSession& s, int64_t client_id, const events::Webhook& webhook) {
  CAMPAIGND_RETURN_IF_ERROR(CheckOwner(webhook.client_id, client_id, "webhook"));
  if (webhook.id <= 0) return Status::InvalidArgument("id must be positive");
  Result<std::optional<events::Webhook>> stored = events::FindWebhook(s, client_id, webhook.id);
  if (!stored.ok()) return stored.status();
  if (stored->has_value()) {
    return events::WriteWebhook(s, webhook, events::WebhookWrite::kUpdate).status();
  }
  if (webhook.signing_secret.empty()) {
    return Status::InvalidArgument("a new webhook needs a signing secret");
  }
  events::Webhook fresh = webhook;
  fresh.state = events::WebhookState::kActivated;
  return events::WriteWebhook(s, fresh, events::WebhookWrite::kInsert).status();
}

// Applies each record of `items` with `apply`, naming the failing one.
template <typename T, typename Apply, typename Describe>
Status ApplyEach(const std::vector<T>& items, Apply apply, Describe describe) {
  for (const T& record : items) {
    Status status = apply(record);
    if (!status.ok()) return status.WithContext(describe(record));
  }
  return Status::Ok();
}

Status ApplyRecords(SqlSession& s, const ClientSpec& spec) {
  const int64_t id = spec.client.id;
  using std::to_string;
  CAMPAIGND_RETURN_IF_ERROR(ApplyEach(
      spec.dkim_keys,
      [&](DkimKey k) {
        k.domain = LowerAscii(k.domain);
        return records::UpsertDkimKey(s, id, k);
      },
      [](const DkimKey& k) { return "DKIM key " + k.selector + "._domainkey." + k.domain; }));
  CAMPAIGND_RETURN_IF_ERROR(ApplyEach(
      spec.lists, [&](const RecipientList& l) { return WriteList(s, id, l); },
      [](const RecipientList& l) { return "list " + to_string(l.id); }));
  CAMPAIGND_RETURN_IF_ERROR(ApplyEach(
      spec.recipients,
      [&](const Recipient& r) { return records::UpsertRecipients(s, id, r.list_id, {&r, 1}); },
      [](const Recipient& r) { return "recipient " + r.id + " of list " + to_string(r.list_id); }));
  CAMPAIGND_RETURN_IF_ERROR(ApplyEach(
      spec.mailings,
      [&](const Mailing& m) {
        CAMPAIGND_RETURN_IF_ERROR(CheckOwner(m.client_id, id, "mailing"));
        return records::WriteMailing(s, id, m, Write::kUpsert).status();
      },
      [](const Mailing& m) { return "mailing " + to_string(m.id); }));
  CAMPAIGND_RETURN_IF_ERROR(ApplyEach(
      spec.codes, [&](const AuthCode& c) { return WriteCode(s, id, c); },
      [](const AuthCode& c) { return "code '" + c.name + "'"; }));
  CAMPAIGND_RETURN_IF_ERROR(ApplyEach(
      spec.blocklist,
      [&](BlockEntry e) {
        e.pattern = LowerAscii(e.pattern);
        return records::WriteBlockEntry(s, id, e, Write::kUpsert).status();
      },
      [](const BlockEntry& e) { return "blocklist entry " + e.pattern; }));
  CAMPAIGND_RETURN_IF_ERROR(ApplyEach(
      spec.optins, [&](const OptInProcess& p) { return WriteOptIn(s, id, p); },
      [](const OptInProcess& p) { return "opt-in process " + to_string(p.id); }));
  return ApplyEach(
      spec.bounces,
      [&](const std::pair<std::string, int>& b) {
        return records::SetBounces(s, id, LowerAscii(b.first), b.second);
      },
      [](const std::pair<std::string, int>& b) { return "bounces of " + b.first; });
}

Status ApplySpec(SqlSession& session, const ClientSpec& spec) {
  const int64_t id = spec.client.id;
  if (id <= 0) return Status::InvalidArgument("client id must be positive");
  Status status = WriteClient(session, spec.client);
  if (status.ok()) status = ApplyRecords(session, spec);
  return status.WithContext("client " + std::to_string(id));
}

}  // namespace

Status ApplyWithWebhooks(SqlRunner& runner, const std::vector<ClientSpec>& clients,
                         std::span<const events::Webhook> webhooks) {
  return runner.Write([&](SqlSession& session) -> Status {
    for (const ClientSpec& spec : clients) CAMPAIGND_RETURN_IF_ERROR(ApplySpec(session, spec));
    for (const events::Webhook& w : webhooks) {
      CAMPAIGND_RETURN_IF_ERROR(WriteWebhook(session, w.client_id, w)
                                    .WithContext("client " + std::to_string(w.client_id) +
                                                 ": webhook " + std::to_string(w.id)));
    }
    return Status::Ok();
  });
}

Result<std::vector<int64_t>> WebhookIds(SqlRunner& runner, int64_t client_id) {
  const SqlValue key[] = {client_id};
  return EachRow<int64_t>(runner.Query("SELECT id FROM webhooks WHERE client_id = $1 ORDER BY id",
                                       key, 1, "list webhooks"),
                          [](const SqlRow& row) -> Result<int64_t> {
                            CellReader r(row);
                            return r.Finish(r.Int(0));
                          });
}

Status Provisioner::Apply(const std::vector<ClientSpec>& clients) {
  return runner_.Write([&](SqlSession& session) -> Status {
    for (const ClientSpec& spec : clients) CAMPAIGND_RETURN_IF_ERROR(ApplySpec(session, spec));
    return Status::Ok();
  });
}

Result<std::vector<std::string>> Provisioner::CodeNames(int64_t client_id) {
  const SqlValue key[] = {client_id};
  return EachRow<std::string>(
      runner_.Query("SELECT name FROM codes WHERE client_id = $1 ORDER BY name", key, 1,
                    "list codes"),
      [](const SqlRow& row) { return CellText(row, 0); });
}

}  // namespace campaignd::store
