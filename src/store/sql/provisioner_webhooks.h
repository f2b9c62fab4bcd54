// `campaignd apply` with webhook subscriptions ([[client.webhook]]): the
// provisioner's Apply and the webhooks in one write transaction
// (sql/provisioner.cc). A webhook that exists is updated (url, types, auth;
// an empty auth secret of the same kind keeps the stored one) and keeps its
// signing secret and state; a new one is inserted activated with the
// signing secret the caller generated. Kept out of store.h so that the
// events vocabulary is not in every file that includes it.
// Threads: any. Errors: as store.h's Provisioner::Apply.
#ifndef CAMPAIGND_STORE_SQL_PROVISIONER_WEBHOOKS_H_
#define CAMPAIGND_STORE_SQL_PROVISIONER_WEBHOOKS_H_

#include <span>
#include <vector>

#include "store/sql/events.h"
#include "store/store.h"

namespace campaignd::store {

Status ApplyWithWebhooks(SqlRunner& runner, const std::vector<ClientSpec>& clients,
                         std::span<const events::Webhook> webhooks);
// IDs of `client_id`'s webhooks (apply generates signing secrets only for
// new ones).
Result<std::vector<int64_t>> WebhookIds(SqlRunner& runner, int64_t client_id);

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_SQL_PROVISIONER_WEBHOOKS_H_
