// Routes: recipient lists and their field schema.
#include "admin/api/json_model.h"
#include "admin/api/list_lookup.h"
#include "admin/api/routes.h"

namespace campaignd::admin::api {
namespace {

AdminResponse UpdateList(const Call& call, const store::RecipientList& list, int status,
                         const Json& answer) {
  Result<store::Change> change = call.catalog().UpdateList(list);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kNotFound) return NotFound("list");
  return JsonAnswer(status, answer);
}

}  // namespace

AdminResponse ListLists(const Call& call) {
  AdminResponse error;
  std::optional<store::PageRequest> page = ReadPage(call.query, &error);
  if (!page) return error;
  Result<std::vector<store::RecipientList>> lists = call.catalog().ListLists(call.client_id, *page);
  if (!lists.ok()) return StoreFailure(lists.status());
  Json items = Json::array();
  std::optional<std::string> last;
  for (const auto& list : *lists) {
    items.push_back(ListJson(list));
    last = std::to_string(list.id);
  }
  return PageAnswer(std::move(items), page->limit, last);
}

AdminResponse CreateList(const Call& call) {
  AdminResponse error;
  std::optional<Json> body = ReadJsonObject(call.request, &error);
  if (!body) return error;
  store::RecipientList list;
  list.client_id = call.client_id;
  if (Problem p = ReadList(*body, list)) return Invalid(*p);
  Result<store::Change> change = call.catalog().CreateList(list);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kConflict) {
    return Conflict("list " + std::to_string(list.id) + " exists");
  }
  return JsonAnswer(201, ListJson(list));
}

AdminResponse GetList(const Call& call) {
  AdminResponse error;
  std::optional<store::RecipientList> list = PathList(call, &error);
  if (!list) return error;
  return JsonAnswer(200, ListJson(*list));
}

AdminResponse PatchList(const Call& call) {
  AdminResponse error;
  std::optional<Json> body = ReadJsonObject(call.request, &error);
  if (!body) return error;
  std::optional<store::RecipientList> list = PathList(call, &error);
  if (!list) return error;
  if (body->contains("id")) return Invalid("id: cannot be changed");
  if (Problem p = ReadList(*body, *list)) return Invalid(*p);
  return UpdateList(call, *list, 200, ListJson(*list));
}

AdminResponse DeleteList(const Call& call) {
  AdminResponse error;
  std::optional<int64_t> id = call.PathInt("list", &error);
  if (!id) return error;
  Result<store::Change> change = call.catalog().DeleteList(call.client_id, *id);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kNotFound) return NotFound("list");
  if (*change == store::Change::kConflict) return Conflict("a mailing or a code uses the list");
  return NoContent();
}

AdminResponse ListFields(const Call& call) {
  AdminResponse error;
  std::optional<store::RecipientList> list = PathList(call, &error);
  if (!list) return error;
  return JsonAnswer(200, Json{{"items", ListJson(*list)["fields"]}, {"next_cursor", nullptr}});
}

AdminResponse AddField(const Call& call) {
  AdminResponse error;
  std::optional<Json> body = ReadJsonObject(call.request, &error);
  if (!body) return error;
  std::optional<store::RecipientList> list = PathList(call, &error);
  if (!list) return error;
  store::FieldDef field;
  if (Problem p = ReadField(*body, field)) return Invalid(*p);
  auto it = std::find_if(list->fields.begin(), list->fields.end(),
                         [&](const store::FieldDef& f) { return f.name == field.name; });
  if (it != list->fields.end()) {
    it->type = field.type;
  } else {
    list->fields.push_back(field);
  }
  return UpdateList(call, *list, 201, Json{{"name", field.name}, {"type", field.type}});
}

AdminResponse DeleteField(const Call& call) {
  AdminResponse error;
  std::optional<store::RecipientList> list = PathList(call, &error);
  if (!list) return error;
  const std::string& name = call.path.find("field")->second;
  auto it = std::find_if(list->fields.begin(), list->fields.end(),
                         [&](const store::FieldDef& f) { return f.name == name; });
  if (it == list->fields.end()) return NotFound("field " + name);
  list->fields.erase(it);
  AdminResponse updated = UpdateList(call, *list, 200, Json::object());
  return updated.status == 200 ? NoContent() : updated;
}

}  // namespace campaignd::admin::api
