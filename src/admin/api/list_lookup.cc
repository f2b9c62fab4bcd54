#include "admin/api/list_lookup.h"

namespace campaignd::admin::api {

std::optional<store::RecipientList> PathList(const Call& call, AdminResponse* error) {
  std::optional<int64_t> id = call.PathInt("list", error);
  if (!id) return std::nullopt;
  Result<std::optional<store::RecipientList>> list =
      call.context.engine.directory().FindList(call.client_id, *id);
  if (!list.ok()) {
    *error = StoreFailure(list.status());
    return std::nullopt;
  }
  if (!list->has_value()) *error = NotFound("list " + std::to_string(*id));
  return *list;
}

std::optional<store::Mailing> PathMailing(const Call& call, AdminResponse* error) {
  std::optional<int64_t> id = call.PathInt("mailing", error);
  if (!id) return std::nullopt;
  Result<std::optional<store::Mailing>> mailing =
      call.context.engine.directory().FindMailing(call.client_id, *id);
  if (!mailing.ok()) {
    *error = StoreFailure(mailing.status());
    return std::nullopt;
  }
  if (!mailing->has_value()) *error = NotFound("mailing " + std::to_string(*id));
  return *mailing;
}

}  // namespace campaignd::admin::api
