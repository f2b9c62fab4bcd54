// Routes: recipients one at a time and in JSON batches.
#include "admin/api/json_model.h"
#include "admin/api/list_lookup.h"
#include "admin/api/routes.h"

namespace campaignd::admin::api {
namespace {

// Recipients per bulk request (larger sets: the CSV import).
constexpr std::size_t kMaxBulkRecipients = 10000;

AdminResponse Upsert(const Call& call, const store::Recipient& recipient, int status) {
  Result<store::Change> change =
      call.catalog().UpsertRecipients(call.client_id, recipient.list_id, {&recipient, 1});
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kNotFound) return NotFound("list");
  return JsonAnswer(status, RecipientJson(recipient));
}

// The {recipient} of the path, normalised; nullopt and *error (404) else.
std::optional<std::string> PathRecipient(const Call& call, AdminResponse* error) {
  const std::string& text = call.path.find("recipient")->second;
  // A lookup: a stored address literal can still be read and deleted.
  Result<std::string> address = NormaliseAddress(text, AddressLiterals::kAllow);
  if (!address.ok()) {
    *error = NotFound("recipient " + text);
    return std::nullopt;
  }
  return *address;
}

}  // namespace

AdminResponse ListRecipients(const Call& call) {
  AdminResponse error;
  std::optional<store::PageRequest> page = ReadPage(call.query, &error);
  if (!page) return error;
  std::optional<store::RecipientList> list = PathList(call, &error);
  if (!list) return error;
  Result<std::vector<store::Recipient>> recipients =
      call.catalog().ListRecipients(call.client_id, list->id, *page);
  if (!recipients.ok()) return StoreFailure(recipients.status());
  Json items = Json::array();
  std::optional<std::string> last;
  for (const auto& r : *recipients) {
    items.push_back(RecipientJson(r));
    last = r.id;
  }
  return PageAnswer(std::move(items), page->limit, last);
}

AdminResponse CreateRecipient(const Call& call) {
  AdminResponse error;
  std::optional<Json> body = ReadJsonObject(call.request, &error);
  if (!body) return error;
  std::optional<store::RecipientList> list = PathList(call, &error);
  if (!list) return error;
  store::Recipient recipient;
  if (!body->contains("recipient_id")) return Invalid("recipient_id: required");
  if (Problem p = ReadRecipient(*body, *list, call.context.address_literals, recipient)) {
    return Invalid(*p);
  }
  return Upsert(call, recipient, 201);
}

AdminResponse BulkRecipients(const Call& call) {
  AdminResponse error;
  std::optional<Json> body = ReadJsonObject(call.request, &error);
  if (!body) return error;
  std::optional<store::RecipientList> list = PathList(call, &error);
  if (!list) return error;
  auto items = body->find("items");
  if (items == body->end() || !items->is_array()) return Invalid("items: expected an array");
  if (items->size() > kMaxBulkRecipients) {
    return ErrorAnswer(413, "payload_too_large",
                       "at most " + std::to_string(kMaxBulkRecipients) +
                           " recipients per request; use the CSV import");
  }
  std::vector<store::Recipient> recipients;
  recipients.reserve(items->size());
  for (std::size_t i = 0; i < items->size(); ++i) {
    const Json& item = (*items)[i];
    store::Recipient& r = recipients.emplace_back();
    if (!item.is_object() || !item.contains("recipient_id")) {
      return Invalid("items[" + std::to_string(i) + "]: expected an object with recipient_id");
    }
    if (Problem p = ReadRecipient(item, *list, call.context.address_literals, r)) {
      return Invalid("items[" + std::to_string(i) + "]: " + *p);
    }
  }
  Result<store::Change> change =
      call.catalog().UpsertRecipients(call.client_id, list->id, recipients);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kNotFound) return NotFound("list");
  return JsonAnswer(200, Json{{"rows", recipients.size()},
                              {"stored", recipients.size()},
                              {"rejected", 0},
                              {"errors", Json::array()}});
}

AdminResponse GetRecipient(const Call& call) {
  AdminResponse error;
  std::optional<store::RecipientList> list = PathList(call, &error);
  if (!list) return error;
  std::optional<std::string> id = PathRecipient(call, &error);
  if (!id) return error;
  Result<std::optional<store::Recipient>> found =
      call.context.engine.directory().FindRecipient(call.client_id, list->id, *id);
  if (!found.ok()) return StoreFailure(found.status());
  if (!found->has_value()) return NotFound("recipient " + *id);
  return JsonAnswer(200, RecipientJson(**found));
}

AdminResponse PutRecipient(const Call& call) {
  AdminResponse error;
  std::optional<Json> body = ReadJsonObject(call.request, &error);
  if (!body) return error;
  std::optional<store::RecipientList> list = PathList(call, &error);
  if (!list) return error;
  std::optional<std::string> id = PathRecipient(call, &error);
  if (!id) return error;
  store::Recipient recipient;
  recipient.id = *id;
  if (body->contains("recipient_id")) return Invalid("recipient_id: given by the path");
  if (Problem p = ReadRecipient(*body, *list, call.context.address_literals, recipient)) {
    return Invalid(*p);
  }
  return Upsert(call, recipient, 200);
}

AdminResponse DeleteRecipient(const Call& call) {
  AdminResponse error;
  std::optional<store::RecipientList> list = PathList(call, &error);
  if (!list) return error;
  std::optional<std::string> id = PathRecipient(call, &error);
  if (!id) return error;
  Result<store::Change> change = call.catalog().DeleteRecipient(call.client_id, list->id, *id);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kNotFound) return NotFound("recipient " + *id);
  return NoContent();
}

}  // namespace campaignd::admin::api
