// Routes: webhook subscriptions of a client (events.md §4,
// docs/decisions/0024-webhook-dispatcher.md): create (the signing secret in
// the answer, the only time it is shown), list, get, change, delete,
// activate / deactivate, retry now (a suspended one activated and due
// now), and the recent attempts. The rules are webhook/subscription.h's.
// Never shown: the auth secret (password or key value) and, after
// creation, the signing secret.
#include "admin/api/json_model.h"
#include "admin/api/routes.h"
#include "webhook/subscription.h"

namespace campaignd::admin::api {
namespace {

using store::events::Webhook;
using store::events::WebhookState;

constexpr int kMaxAttemptsShown = 100;

std::optional<AdminResponse> CheckRules(const Webhook& w, bool secret_may_be_kept) {
  std::vector<webhook::Problem> problems = webhook::SubscriptionProblems(w, secret_may_be_kept);
  if (problems.empty()) return std::nullopt;
  return Invalid(problems.front().member + ": " + problems.front().message);
}

// The subscription {webhook} of the call's client; nullopt and *error
// (404, store failure) else.
std::optional<Webhook> PathWebhook(const Call& call, AdminResponse* error) {
  std::optional<int64_t> id = call.PathInt("webhook", error);
  if (!id) return std::nullopt;
  Result<std::optional<Webhook>> found = call.catalog().FindWebhook(call.client_id, *id);
  if (!found.ok()) {
    *error = StoreFailure(found.status());
    return std::nullopt;
  }
  if (!found->has_value()) *error = NotFound("webhook " + std::to_string(*id));
  return *found;
}

AdminResponse SetState(const Call& call, WebhookState state, bool retry) {
  AdminResponse error;
  std::optional<Webhook> w = PathWebhook(call, &error);
  if (!w) return error;
  if (retry && w->state == WebhookState::kDeactivated) {
    return Conflict("webhook " + std::to_string(w->id) + " is deactivated: activate it");
  }
  Result<store::Change> change =
      call.catalog().SetWebhookState(call.client_id, w->id, state, call.context.clock.Now());
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kNotFound) return NotFound("webhook " + std::to_string(w->id));
  std::optional<Webhook> now = PathWebhook(call, &error);
  if (!now) return error;
  return JsonAnswer(200, WebhookJson(*now));
}

}  // namespace

AdminResponse ListWebhooks(const Call& call) {
  Result<std::vector<Webhook>> hooks = call.catalog().ListWebhooks(call.client_id);
  if (!hooks.ok()) return StoreFailure(hooks.status());
  Json items = Json::array();
  for (const Webhook& w : *hooks) items.push_back(WebhookJson(w));
  return JsonAnswer(200, Json{{"items", std::move(items)}, {"next_cursor", nullptr}});
}

AdminResponse CreateWebhook(const Call& call) {
  AdminResponse error;
  std::optional<Json> body = ReadJsonObject(call.request, &error);
  if (!body) return error;
  Webhook w;
  w.client_id = call.client_id;
  if (Problem p = ReadWebhook(*body, w, /*with_id=*/true)) return Invalid(*p);
  if (auto problem = CheckRules(w, false)) return *problem;
  w.signing_secret = webhook::NewSigningSecret();
  w.state = WebhookState::kActivated;
  w.created_at = call.context.clock.Now();
  Result<store::Change> change = call.catalog().CreateWebhook(w);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kNotFound) return NotFound("client");
  if (*change == store::Change::kConflict) {
    return Conflict("webhook " + std::to_string(w.id) + " exists");
  }
  w.next_attempt_at = w.created_at;
  Json answer = WebhookJson(w);
  answer["signing_secret"] = webhook::SigningKey(w.signing_secret);
  return JsonAnswer(201, answer);
}

AdminResponse GetWebhook(const Call& call) {
  AdminResponse error;
  std::optional<Webhook> w = PathWebhook(call, &error);
  if (!w) return error;
  return JsonAnswer(200, WebhookJson(*w));
}

AdminResponse PatchWebhook(const Call& call) {
  AdminResponse error;
  std::optional<Json> body = ReadJsonObject(call.request, &error);
  if (!body) return error;
  std::optional<Webhook> w = PathWebhook(call, &error);
  if (!w) return error;
  const Webhook before = *w;
  w->auth_secret.clear();  // given again, or kept by the store
  if (Problem p = ReadWebhook(*body, *w, /*with_id=*/false)) return Invalid(*p);
  if (w->auth == store::events::WebhookAuth::kNone) w->auth_name.clear();
  if (auto problem = CheckRules(*w, webhook::AuthSecretMayBeKept(before, *w))) return *problem;
  Result<store::Change> change = call.catalog().UpdateWebhook(*w);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kNotFound) return NotFound("webhook " + std::to_string(w->id));
  std::optional<Webhook> now = PathWebhook(call, &error);
  if (!now) return error;
  return JsonAnswer(200, WebhookJson(*now));
}

AdminResponse DeleteWebhook(const Call& call) {
  AdminResponse error;
  std::optional<int64_t> id = call.PathInt("webhook", &error);
  if (!id) return error;
  Result<store::Change> change = call.catalog().DeleteWebhook(call.client_id, *id);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kNotFound) return NotFound("webhook " + std::to_string(*id));
  return NoContent();
}

AdminResponse ActivateWebhook(const Call& call) {
  return SetState(call, WebhookState::kActivated, false);
}

AdminResponse DeactivateWebhook(const Call& call) {
  return SetState(call, WebhookState::kDeactivated, false);
}

AdminResponse RetryWebhook(const Call& call) {
  return SetState(call, WebhookState::kActivated, true);
}

AdminResponse ListWebhookAttempts(const Call& call) {
  AdminResponse error;
  std::optional<Webhook> w = PathWebhook(call, &error);
  if (!w) return error;
  std::optional<store::PageRequest> page = ReadPage(call.query, &error);
  if (!page) return error;
  if (!page->after.empty()) return Invalid("cursor: attempts have no further pages");
  const int limit = static_cast<int>(std::min<std::size_t>(page->limit, kMaxAttemptsShown));
  Result<std::vector<store::events::Attempt>> attempts =
      call.catalog().WebhookAttempts(call.client_id, w->id, limit);
  if (!attempts.ok()) return StoreFailure(attempts.status());
  Json items = Json::array();
  for (const auto& a : *attempts) items.push_back(AttemptJson(a));
  return JsonAnswer(200, Json{{"items", std::move(items)}, {"next_cursor", nullptr}});
}

}  // namespace campaignd::admin::api
