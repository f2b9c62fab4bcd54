// Routes: opt-in processes, what `subscribe` with bmOptInId starts (single,
// confirmed, double; docs/decisions/0010-recipient-operations.md). The
// rules are the provisioning file's (admin::OptInProblems); the store
// checks the confirmation mailing again inside its write transaction.
#include "admin/api/json_model.h"
#include "admin/api/routes.h"
#include "admin/provisioning_sections.h"

namespace campaignd::admin::api {
namespace {

constexpr std::string_view kBadMailing =
    "mailing_id: expected the id of a mailing of type confirmation of the client";

// The first rule `process` breaks against its client and mailing, as a
// 422 answer; a store failure; nullopt when it keeps them all.
std::optional<AdminResponse> CheckRules(const Call& call, const store::OptInProcess& process) {
  store::Directory& directory = call.context.engine.directory();
  Result<std::optional<store::Client>> client = directory.FindClient(call.client_id);
  if (!client.ok()) return StoreFailure(client.status());
  if (!client->has_value()) return NotFound("client " + std::to_string(call.client_id));
  std::optional<store::Mailing> mailing;
  if (process.mailing_id != 0) {
    Result<std::optional<store::Mailing>> found =
        directory.FindMailing(call.client_id, process.mailing_id);
    if (!found.ok()) return StoreFailure(found.status());
    mailing = std::move(*found);
  }
  std::vector<OptInProblem> problems =
      OptInProblems(process, **client, mailing ? &*mailing : nullptr);
  if (problems.empty()) return std::nullopt;
  const OptInProblem& first = problems.front();
  return Invalid((first.member == OptInProblem::kMailing ? "mailing_id: " : "confirmation_url: ") +
                 first.message);
}

// The process {optin} of the call's client; nullopt and *error (404, store
// failure) else.
std::optional<store::OptInProcess> PathOptIn(const Call& call, AdminResponse* error) {
  std::optional<int64_t> id = call.PathInt("optin", error);
  if (!id) return std::nullopt;
  Result<std::optional<store::OptInProcess>> found = call.catalog().FindOptIn(call.client_id, *id);
  if (!found.ok()) {
    *error = StoreFailure(found.status());
    return std::nullopt;
  }
  if (!found->has_value()) *error = NotFound("opt-in process " + std::to_string(*id));
  return *found;
}

}  // namespace

AdminResponse ListOptIns(const Call& call) {
  AdminResponse error;
  std::optional<store::PageRequest> page = ReadPage(call.query, &error);
  if (!page) return error;
  Result<std::vector<store::OptInProcess>> processes =
      call.catalog().ListOptIns(call.client_id, *page);
  if (!processes.ok()) return StoreFailure(processes.status());
  Json items = Json::array();
  std::optional<std::string> last;
  for (const auto& p : *processes) {
    items.push_back(OptInJson(p));
    last = std::to_string(p.id);
  }
  return PageAnswer(std::move(items), page->limit, last);
}

AdminResponse CreateOptIn(const Call& call) {
  AdminResponse error;
  std::optional<Json> body = ReadJsonObject(call.request, &error);
  if (!body) return error;
  if (!body->contains("kind")) return Invalid("kind: required (single, confirmed or double)");
  store::OptInProcess process;
  process.client_id = call.client_id;
  if (Problem p = ReadOptIn(*body, process)) return Invalid(*p);
  if (auto problem = CheckRules(call, process)) return *problem;
  Result<store::Change> change = call.catalog().CreateOptIn(process);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kNotFound) return NotFound("client");
  if (*change == store::Change::kInvalid) return Invalid(kBadMailing);
  if (*change == store::Change::kConflict) {
    return Conflict("opt-in process " + std::to_string(process.id) + " exists");
  }
  return JsonAnswer(201, OptInJson(process));
}

AdminResponse GetOptIn(const Call& call) {
  AdminResponse error;
  std::optional<store::OptInProcess> process = PathOptIn(call, &error);
  if (!process) return error;
  return JsonAnswer(200, OptInJson(*process));
}

AdminResponse PatchOptIn(const Call& call) {
  AdminResponse error;
  std::optional<Json> body = ReadJsonObject(call.request, &error);
  if (!body) return error;
  std::optional<store::OptInProcess> process = PathOptIn(call, &error);
  if (!process) return error;
  if (body->contains("id")) return Invalid("id: cannot be changed");
  if (Problem p = ReadOptIn(*body, *process)) return Invalid(*p);
  if (auto problem = CheckRules(call, *process)) return *problem;
  Result<store::Change> change = call.catalog().UpdateOptIn(*process);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kNotFound) return NotFound("opt-in process");
  if (*change == store::Change::kInvalid) return Invalid(kBadMailing);
  return JsonAnswer(200, OptInJson(*process));
}

AdminResponse DeleteOptIn(const Call& call) {
  AdminResponse error;
  std::optional<int64_t> id = call.PathInt("optin", &error);
  if (!id) return error;
  // docs/decisions/0012-admin-api.md: allowed while recipients refer to it.
  Result<store::Change> change = call.catalog().DeleteOptIn(call.client_id, *id);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kNotFound) return NotFound("opt-in process " + std::to_string(*id));
  return NoContent();
}

}  // namespace campaignd::admin::api
