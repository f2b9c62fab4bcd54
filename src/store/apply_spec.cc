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
#include "store/apply_spec.h"

#include <string>

#include "core/fields.h"

namespace campaignd::store {
namespace {

Status CheckOwner(int64_t record_client_id, int64_t client_id, std::string_view what) {
  if (record_client_id == 0 || record_client_id == client_id) return Status::Ok();
  return Status::InvalidArgument(std::string(what) + " names client " +
                                 std::to_string(record_client_id));
}

Status WriteClient(SpecWriter& w, const Client& client) {
  Result<bool> exists = w.ClientExists(client.id);
  if (!exists.ok()) return exists.status();
  if (!*exists && client.mail_id_secret.empty()) {
    return Status::InvalidArgument("new client needs a mail_id_secret");
  }
  if (client.rate_limit < 0) return Status::InvalidArgument("rate_limit must not be negative");
  return w.WriteClient(client, *exists);
}

Status WriteList(SpecWriter& w, int64_t client_id, RecipientList list) {
  CAMPAIGND_RETURN_IF_ERROR(CheckOwner(list.client_id, client_id, "list"));
  for (FieldDef& field : list.fields) field.name = LowerAscii(field.name);
  return w.UpsertList(client_id, list);
}

Status WriteCode(SpecWriter& w, int64_t client_id, const AuthCode& code) {
  CAMPAIGND_RETURN_IF_ERROR(CheckOwner(code.client_id, client_id, "code"));
  Result<bool> written = w.WriteCode(client_id, code);
  if (!written.ok()) return written.status();
  if (!*written) return Status::InvalidArgument("a new code needs a code_hash");
  return Status::Ok();
}

Status WriteOptIn(SpecWriter& w, int64_t client_id, const OptInProcess& process) {
  CAMPAIGND_RETURN_IF_ERROR(CheckOwner(process.client_id, client_id, "opt-in process"));
  if (process.id <= 0) return Status::InvalidArgument("id must be positive");
  if (process.kind != OptInKind::kSingle && process.mailing_id <= 0) {
    return Status::InvalidArgument(std::string(Name(process.kind)) +
                                   " opt-in needs a confirmation mailing");
  }
  return w.UpsertOptIn(client_id, process);
}

// Applies each record of `records` with `apply`, naming the failing one.
template <typename T, typename Apply, typename Describe>
Status ApplyEach(const std::vector<T>& records, Apply apply, Describe describe) {
  for (const T& record : records) {
    Status status = apply(record);
    if (!status.ok()) return status.WithContext(describe(record));
  }
  return Status::Ok();
}

Status ApplyRecords(SpecWriter& w, const ClientSpec& spec) {
  const int64_t id = spec.client.id;
  using std::to_string;
  CAMPAIGND_RETURN_IF_ERROR(ApplyEach(
      spec.dkim_keys,
      [&](DkimKey k) {
        k.domain = LowerAscii(k.domain);
        return w.UpsertDkimKey(id, k);
      },
      [](const DkimKey& k) { return "DKIM key " + k.selector + "._domainkey." + k.domain; }));
  CAMPAIGND_RETURN_IF_ERROR(ApplyEach(
      spec.lists, [&](const RecipientList& l) { return WriteList(w, id, l); },
      [](const RecipientList& l) { return "list " + to_string(l.id); }));
  CAMPAIGND_RETURN_IF_ERROR(ApplyEach(
      spec.recipients, [&](const Recipient& r) { return w.UpsertRecipient(id, r); },
      [](const Recipient& r) { return "recipient " + r.id + " of list " + to_string(r.list_id); }));
  CAMPAIGND_RETURN_IF_ERROR(ApplyEach(
      spec.mailings,
      [&](const Mailing& m) {
        CAMPAIGND_RETURN_IF_ERROR(CheckOwner(m.client_id, id, "mailing"));
        return w.UpsertMailing(id, m);
      },
      [](const Mailing& m) { return "mailing " + to_string(m.id); }));
  CAMPAIGND_RETURN_IF_ERROR(ApplyEach(
      spec.codes, [&](const AuthCode& c) { return WriteCode(w, id, c); },
      [](const AuthCode& c) { return "code '" + c.name + "'"; }));
  CAMPAIGND_RETURN_IF_ERROR(ApplyEach(
      spec.blocklist,
      [&](BlockEntry e) {
        e.pattern = LowerAscii(e.pattern);
        return w.UpsertBlockEntry(id, e);
      },
      [](const BlockEntry& e) { return "blocklist entry " + e.pattern; }));
  CAMPAIGND_RETURN_IF_ERROR(ApplyEach(
      spec.optins, [&](const OptInProcess& p) { return WriteOptIn(w, id, p); },
      [](const OptInProcess& p) { return "opt-in process " + to_string(p.id); }));
  return ApplyEach(
      spec.bounces,
      [&](const std::pair<std::string, int>& b) {
        return w.SetBounces(id, LowerAscii(b.first), b.second);
      },
      [](const std::pair<std::string, int>& b) { return "bounces of " + b.first; });
}

}  // namespace

bool IsWildcardPattern(std::string_view pattern) {
  return pattern.find_first_of("*?") != std::string_view::npos;
}

Status ApplySpec(SpecWriter& writer, const ClientSpec& spec) {
  const int64_t id = spec.client.id;
  if (id <= 0) return Status::InvalidArgument("client id must be positive");
  Status status = WriteClient(writer, spec.client);
  if (status.ok()) status = ApplyRecords(writer, spec);
  return status.WithContext("client " + std::to_string(id));
}

}  // namespace campaignd::store
