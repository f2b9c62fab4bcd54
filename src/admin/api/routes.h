// The route handlers of the admin API, one group per file (routes_*.cc),
// called by router.cc after authentication and the client check. Private
// to admin/api. Threads: as router.h. Errors: every handler answers; store
// failures become StoreFailure().
#ifndef CAMPAIGND_ADMIN_API_ROUTES_H_
#define CAMPAIGND_ADMIN_API_ROUTES_H_

#include <map>
#include <string>

#include "admin/api/answer.h"
#include "admin/api/router.h"
#include "core/clock.h"

namespace campaignd::admin::api {

// One request matched to a route.
struct Call {
  const AdminRequest& request;
  const AdminContext& context;
  Principal who;
  std::map<std::string, std::string, std::less<>> path;  // {name} -> decoded segment
  Query query;
  int64_t client_id = 0;  // the {client} of the path, when it has one

  store::Catalog& catalog() const { return context.catalog; }
  // The path segment {name} as an integer; nullopt (and *error 404) else.
  std::optional<int64_t> PathInt(std::string_view name, AdminResponse* error) const;
};

using Handler = AdminResponse (*)(const Call&);

// Shared by the handlers (routes_mails.cc): unix milliseconds,
// "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS[.fff]Z" (UTC); nullopt for anything else.
std::optional<TimePoint> ParseTime(const std::string& text);
// The call's client's mail ID secret (MailId::Make); NotFound without it.
Result<std::string> ClientSecret(const Call& call);

// routes_clients.cc
AdminResponse ListClients(const Call& call);
AdminResponse CreateClient(const Call& call);
AdminResponse GetClient(const Call& call);
AdminResponse PatchClient(const Call& call);
AdminResponse ListApiKeys(const Call& call);
AdminResponse CreateApiKey(const Call& call);
AdminResponse DeleteApiKey(const Call& call);
AdminResponse GetRelay(const Call& call);
AdminResponse PutRelay(const Call& call);
// routes_lists.cc
AdminResponse ListLists(const Call& call);
AdminResponse CreateList(const Call& call);
AdminResponse GetList(const Call& call);
AdminResponse PatchList(const Call& call);
AdminResponse DeleteList(const Call& call);
AdminResponse ListFields(const Call& call);
AdminResponse AddField(const Call& call);
AdminResponse DeleteField(const Call& call);
// routes_recipients.cc
AdminResponse ListRecipients(const Call& call);
AdminResponse CreateRecipient(const Call& call);
AdminResponse BulkRecipients(const Call& call);
AdminResponse GetRecipient(const Call& call);
AdminResponse PutRecipient(const Call& call);
AdminResponse DeleteRecipient(const Call& call);
// routes_csv.cc
AdminResponse ImportRecipients(const Call& call);
AdminResponse ExportRecipients(const Call& call);
// routes_mailings.cc
AdminResponse ListMailings(const Call& call);
AdminResponse CreateMailing(const Call& call);
AdminResponse GetMailing(const Call& call);
AdminResponse PatchMailing(const Call& call);
AdminResponse DeleteMailing(const Call& call);
AdminResponse SetMailingStatus(const Call& call);
AdminResponse PreviewMailing(const Call& call);
// routes_access.cc
AdminResponse ListCodes(const Call& call);
AdminResponse CreateCode(const Call& call);
AdminResponse GetCode(const Call& call);
AdminResponse PatchCode(const Call& call);
AdminResponse DeleteCode(const Call& call);
AdminResponse ListBlocklist(const Call& call);
AdminResponse AddBlockEntry(const Call& call);
AdminResponse DeleteBlockEntry(const Call& call);
AdminResponse ListDkimKeys(const Call& call);
AdminResponse AddDkimKey(const Call& call);
AdminResponse DeleteDkimKey(const Call& call);
// routes_optins.cc
AdminResponse ListOptIns(const Call& call);
AdminResponse CreateOptIn(const Call& call);
AdminResponse GetOptIn(const Call& call);
AdminResponse PatchOptIn(const Call& call);
AdminResponse DeleteOptIn(const Call& call);
// routes_mails.cc
AdminResponse SearchMails(const Call& call);
AdminResponse GetMail(const Call& call);
// routes_webhooks.cc
AdminResponse ListWebhooks(const Call& call);
AdminResponse CreateWebhook(const Call& call);
AdminResponse GetWebhook(const Call& call);
AdminResponse PatchWebhook(const Call& call);
AdminResponse DeleteWebhook(const Call& call);
AdminResponse ActivateWebhook(const Call& call);
AdminResponse DeactivateWebhook(const Call& call);
AdminResponse RetryWebhook(const Call& call);
AdminResponse ListWebhookAttempts(const Call& call);
// routes_events.cc
AdminResponse ListEvents(const Call& call);
AdminResponse MailingStats(const Call& call);
AdminResponse ClientStats(const Call& call);
AdminResponse GetBounces(const Call& call);
AdminResponse ResetBounces(const Call& call);

}  // namespace campaignd::admin::api

#endif  // CAMPAIGND_ADMIN_API_ROUTES_H_
