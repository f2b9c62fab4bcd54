// Catalog: webhook subscriptions (events.md §4) over store/sql/events.h,
// each call one transaction; a create claims its id and writes in the same
// one.
#include "store/sql/catalog.h"
#include "store/sql/events.h"

namespace campaignd::store {

Result<std::vector<events::Webhook>> Catalog::ListWebhooks(int64_t client_id) {
  return ReadResult<std::vector<events::Webhook>>(
      runner_, [&](SqlSession& session) { return events::ListWebhooks(session, client_id); });
}

Result<std::optional<events::Webhook>> Catalog::FindWebhook(int64_t client_id, int64_t id) {
  return ReadResult<std::optional<events::Webhook>>(
      runner_, [&](SqlSession& session) { return events::FindWebhook(session, client_id, id); });
}

Result<Change> Catalog::CreateWebhook(events::Webhook& webhook) {
  return catalog_sql::DecideIfExists(
      runner_, "clients", 0, webhook.client_id, [&](SqlSession& session) -> Result<Change> {
        Result<bool> free =
            catalog_sql::ClaimId(session, "webhooks", webhook.client_id, webhook.id);
        if (!free.ok()) return free.status();
        if (!*free) return Change::kConflict;
        CAMPAIGND_RETURN_IF_ERROR(
            events::WriteWebhook(session, webhook, events::WebhookWrite::kInsert).status());
        return Change::kDone;
      });
}

Result<Change> Catalog::UpdateWebhook(const events::Webhook& webhook) {
  return catalog_sql::WriteOne(runner_, [&](SqlSession& session) {
    return events::WriteWebhook(session, webhook, events::WebhookWrite::kUpdate);
  });
}

Result<Change> Catalog::DeleteWebhook(int64_t client_id, int64_t id) {
  return catalog_sql::WriteOne(
      runner_, [&](SqlSession& session) { return events::DeleteWebhook(session, client_id, id); });
}

Result<Change> Catalog::SetWebhookState(int64_t client_id, int64_t id, events::WebhookState state,
                                        TimePoint now) {
  return catalog_sql::WriteOne(runner_, [&](SqlSession& session) {
    return events::SetWebhookState(session, client_id, id, state, now);
  });
}

Result<std::vector<events::Attempt>> Catalog::WebhookAttempts(int64_t client_id, int64_t id,
                                                              int limit) {
  return ReadResult<std::vector<events::Attempt>>(runner_, [&](SqlSession& session) {
    return events::Attempts(session, client_id, id, limit);
  });
}

}  // namespace campaignd::store
