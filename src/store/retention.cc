#include "store/retention.h"

#include "store/sql/events.h"

namespace campaignd::store {

Result<Purged> PurgeExpired(SqlRunner& runner, TimePoint now, const RetentionPolicy& policy,
                            const std::atomic<bool>* stop) {
  Purged purged;
  const struct {
    events::Purge kind;
    std::chrono::seconds retention;
    int64_t* deleted;
  } kinds[] = {{events::Purge::kMails, policy.mails, &purged.mails},
               {events::Purge::kEvents, policy.events, &purged.events},
               {events::Purge::kAttempts, policy.attempts, &purged.attempts}};
  for (const auto& k : kinds) {
    Result<int64_t> deleted =
        events::PurgeBefore(runner, k.kind, now - k.retention, policy.batch, stop);
    if (!deleted.ok()) return deleted.status();
    *k.deleted = *deleted;
  }
  return purged;
}

}  // namespace campaignd::store
