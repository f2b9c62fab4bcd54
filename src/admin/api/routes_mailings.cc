// Routes: mailings, their status changes and the preview.
#include <algorithm>

#include "admin/api/json_model.h"
#include "admin/api/list_lookup.h"
#include "admin/api/routes.h"
#include "render/field_functions.h"

namespace campaignd::admin::api {
namespace {

using store::MailingStatus;

// The status changes an operator may make (docs/decisions/0012-admin-api.md):
// NEW is left for SENDING or CANCELED; SENDING and PAUSED alternate and
// both may end in DONE or CANCELED; DONE and CANCELED are final.
constexpr std::pair<MailingStatus, MailingStatus> kAllowedTransitions[] = {
    {MailingStatus::kNew, MailingStatus::kSending},
    {MailingStatus::kNew, MailingStatus::kCanceled},
    {MailingStatus::kSending, MailingStatus::kPaused},
    {MailingStatus::kSending, MailingStatus::kDone},
    {MailingStatus::kSending, MailingStatus::kCanceled},
    {MailingStatus::kPaused, MailingStatus::kSending},
    {MailingStatus::kPaused, MailingStatus::kDone},
    {MailingStatus::kPaused, MailingStatus::kCanceled},
};

bool IsAllowed(MailingStatus from, MailingStatus to) {
  return std::find(std::begin(kAllowedTransitions), std::end(kAllowedTransitions),
                   std::pair{from, to}) != std::end(kAllowedTransitions);
}

// Every list of `mailing` exists for the client; a problem otherwise.
std::optional<AdminResponse> CheckLists(const Call& call, const store::Mailing& mailing) {
  for (int64_t id : mailing.list_ids) {
    Result<std::optional<store::RecipientList>> list =
        call.context.engine.directory().FindList(call.client_id, id);
    if (!list.ok()) return StoreFailure(list.status());
    if (!list->has_value()) return Invalid("list_ids: list " + std::to_string(id) + " not found");
  }
  return std::nullopt;
}

}  // namespace

AdminResponse ListMailings(const Call& call) {
  AdminResponse error;
  std::optional<store::PageRequest> page = ReadPage(call.query, &error);
  if (!page) return error;
  Result<std::vector<store::Mailing>> mailings = call.catalog().ListMailings(call.client_id, *page);
  if (!mailings.ok()) return StoreFailure(mailings.status());
  Json items = Json::array();
  std::optional<std::string> last;
  for (const auto& m : *mailings) {
    items.push_back(MailingJson(m));
    last = std::to_string(m.id);
  }
  return PageAnswer(std::move(items), page->limit, last);
}

AdminResponse CreateMailing(const Call& call) {
  AdminResponse error;
  std::optional<Json> body = ReadJsonObject(call.request, &error);
  if (!body) return error;
  store::Mailing mailing;
  mailing.client_id = call.client_id;
  if (Problem p = ReadMailing(*body, mailing)) return Invalid(*p);
  if (auto problem = CheckLists(call, mailing)) return *problem;
  mailing.status = MailingStatus::kNew;
  Result<store::Change> change = call.catalog().CreateMailing(mailing);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kConflict) {
    return Conflict("mailing " + std::to_string(mailing.id) + " exists");
  }
  return JsonAnswer(201, MailingJson(mailing));
}

AdminResponse GetMailing(const Call& call) {
  AdminResponse error;
  std::optional<store::Mailing> mailing = PathMailing(call, &error);
  if (!mailing) return error;
  return JsonAnswer(200, MailingJson(*mailing));
}

AdminResponse PatchMailing(const Call& call) {
  AdminResponse error;
  std::optional<Json> body = ReadJsonObject(call.request, &error);
  if (!body) return error;
  std::optional<store::Mailing> mailing = PathMailing(call, &error);
  if (!mailing) return error;
  if (body->contains("id")) return Invalid("id: cannot be changed");
  if (Problem p = ReadMailing(*body, *mailing)) return Invalid(*p);
  if (auto problem = CheckLists(call, *mailing)) return *problem;
  Result<store::Change> change = call.catalog().UpdateMailing(*mailing);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kNotFound) return NotFound("mailing");
  if (*change == store::Change::kConflict) {
    return Conflict("a mailing can be changed only in status NEW or PAUSED");
  }
  return JsonAnswer(200, MailingJson(*mailing));
}

AdminResponse DeleteMailing(const Call& call) {
  AdminResponse error;
  std::optional<int64_t> id = call.PathInt("mailing", &error);
  if (!id) return error;
  Result<store::Change> change = call.catalog().DeleteMailing(call.client_id, *id);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kNotFound) return NotFound("mailing");
  if (*change == store::Change::kConflict) {
    return Conflict("only a mailing in status NEW can be deleted; cancel it instead");
  }
  return NoContent();
}

AdminResponse SetMailingStatus(const Call& call) {
  AdminResponse error;
  std::optional<Json> body = ReadJsonObject(call.request, &error);
  if (!body) return error;
  std::optional<store::Mailing> mailing = PathMailing(call, &error);
  if (!mailing) return error;
  auto it = body->find("status");
  if (it == body->end() || !it->is_string()) return Invalid("status: required string");
  std::optional<MailingStatus> to = store::ParseMailingStatus(it->get<std::string>());
  if (!to) return Invalid("status: expected NEW, SENDING, PAUSED, DONE or CANCELED");
  const std::string move = std::string(store::Name(mailing->status)) + " -> " +
                           std::string(store::Name(*to));
  if (!IsAllowed(mailing->status, *to)) return Conflict("status change not allowed: " + move);
  Result<store::Change> change =
      call.catalog().SetMailingStatus(call.client_id, mailing->id, mailing->status, *to);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kNotFound) return NotFound("mailing");
  if (*change == store::Change::kConflict) return Conflict("the status changed meanwhile");
  mailing->status = *to;
  return JsonAnswer(200, MailingJson(*mailing));
}

AdminResponse PreviewMailing(const Call& call) {
  AdminResponse error;
  std::optional<Json> body = ReadJsonObject(call.request, &error);
  if (!body) return error;
  std::optional<store::Mailing> mailing = PathMailing(call, &error);
  if (!mailing) return error;
  auto list_id = body->find("list_id");
  auto recipient_id = body->find("recipient_id");
  if (list_id == body->end() || !list_id->is_number_integer() || recipient_id == body->end() ||
      !recipient_id->is_string()) {
    return Invalid("list_id (integer) and recipient_id (string) are required");
  }
  Result<std::optional<store::RecipientList>> list =
      call.context.engine.directory().FindList(call.client_id, list_id->get<int64_t>());
  if (!list.ok()) return StoreFailure(list.status());
  if (!list->has_value()) return NotFound("list");
  // A lookup of a stored recipient: literals pass (allow_address_literals
  // judges addresses coming in).
  Result<std::string> address =
      NormaliseAddress(recipient_id->get<std::string>(), AddressLiterals::kAllow);
  if (!address.ok()) return Invalid("recipient_id: " + address.status().message());
  Result<std::optional<store::Recipient>> recipient =
      call.context.engine.directory().FindRecipient(call.client_id, (*list)->id, *address);
  if (!recipient.ok()) return StoreFailure(recipient.status());
  if (!recipient->has_value()) return NotFound("recipient " + *address);
  // docs/decisions/0012-admin-api.md: a preview has no mail, so its mail ID
  // and the links built from it are the placeholder "preview".
  FieldValues values = (*recipient)->fields;
  const std::string links = call.context.public_url + "/http/mail/preview";
  values["bmmailid"] = "preview";
  values["bmrecipientid"] = *address;
  values["bmmailingid"] = std::to_string(mailing->id);
  values["bmunsubscribeurl"] = links + "/unsubscribe";
  values["bmonlineversionurl"] = links + "/onlineversion";
  std::map<std::string, std::string> types;
  for (const auto& f : (*list)->fields) types[f.name] = f.type;
  const render::FieldContext context{values, types};
  const store::Mailing& m = *mailing;
  Result<render::RenderedTexts> texts =
      render::RenderTexts({m.from, m.reply_to, m.subject, m.text, m.html}, context);
  if (!texts.ok()) return Invalid(texts.status().message());
  return JsonAnswer(200, Json{{"subject", texts->subject},
                              {"from", texts->from},
                              {"reply_to", texts->reply_to},
                              {"text", texts->text},
                              {"html", texts->html}});
}

}  // namespace campaignd::admin::api
