// JSON forms of the stored records as the admin API shows them
// (docs/admin-api.yaml schemas) and the readers of request fields. Secrets
// never appear: transports are redacted, DKIM private keys and code hashes
// left out. Private to admin/api. Threads: pure functions.
// Errors: the Read* functions return a problem text (-> 422), or nullopt.
#ifndef CAMPAIGND_ADMIN_API_JSON_MODEL_H_
#define CAMPAIGND_ADMIN_API_JSON_MODEL_H_

#include <optional>
#include <string>
#include <vector>

#include "admin/api/answer.h"
#include "core/address.h"
#include "core/iso_time.h"  // FormatIsoTime: every time the API answers
#include "store/model.h"
#include "store/sql/events.h"

namespace campaignd::admin::api {

using Problem = std::optional<std::string>;

Json ClientJson(const store::Client& client);
Json ListJson(const store::RecipientList& list);
Json RecipientJson(const store::Recipient& recipient);
Json MailingJson(const store::Mailing& mailing);
Json CodeJson(const store::AuthCode& code);
Json OptInJson(const store::OptInProcess& process);
Json MailJson(const store::Mail& mail, const std::string& mail_id,
              const std::vector<store::MailEvent>& history);
// The counters of events::Counters by their API names, human opens and
// clicks (total minus machine) added.
Json CountersJson(const store::events::Counters& counts);

// Each reads the keys present in `body` into `out` (absent keys keep the
// value `out` has) and checks the result. ReadClient: `others` are the
// stored clients (a bounce_domain or complaint_address must be the client's own).
Problem ReadClient(const Json& body, store::Client& out,
                   const std::vector<store::Client>& others = {});
Problem ReadList(const Json& body, store::RecipientList& out);
Problem ReadField(const Json& body, store::FieldDef& out);
// `out.id` must already be set (from the path) or come in "recipient_id";
// an address literal is a problem unless `literals` allows it.
Problem ReadRecipient(const Json& body, const store::RecipientList& list, AddressLiterals literals,
                      store::Recipient& out);
Problem ReadMailing(const Json& body, store::Mailing& out);
Problem ReadCode(const Json& body, store::AuthCode& out);
// Name and kind only; the rules between members, the client and its
// mailings are admin::OptInProblems (provisioning_sections.h).
Problem ReadOptIn(const Json& body, store::OptInProcess& out);

// A webhook subscription as the API shows it: never its auth secret or
// signing secret (the create answer adds "signing_secret" once).
Json WebhookJson(const store::events::Webhook& webhook);
Json AttemptJson(const store::events::Attempt& attempt);
// url, types, auth, auth_name, auth_secret (and "id" when `with_id`); the
// rules are webhook::SubscriptionProblems, checked by the caller.
Problem ReadWebhook(const Json& body, store::events::Webhook& out, bool with_id);

// Field values checked against the list's schema (unknown names, values
// that do not parse as the field's type); keys lower-cased.
Problem CheckFieldValues(const store::RecipientList& list, FieldValues& values);
// The address normalised (core/address.h), or a problem. `literals`: the
// context's setting for an address that comes in; kAllow to look up one
// that may be stored already.
Result<std::string> NormaliseAddress(std::string_view text, AddressLiterals literals);

}  // namespace campaignd::admin::api

#endif  // CAMPAIGND_ADMIN_API_JSON_MODEL_H_
