// PgCoordination: store.h's Coordination for processes sharing one
// PostgreSQL database.
// Wake-ups: Subscribe starts a Listener (listener.h) on kMailChannel, which
// every committed Enqueue batch notifies.
// Rate windows: one row per (key, unix second) in rate_windows, counted
// with one upsert that adds 1 only while the count is below the limit, so
// every process sees the same count and a full window is never over-counted
// (the wait itself is store::RateWait, shared with SQLite). CountInWindow's
// longer windows share the table, their row keyed by the second the window
// ends (WindowEnd), so that the clean-up drops them only once they ended.
// Windows older than kRateWindowRetention are deleted at most every
// kRateCleanupInterval by whichever process asks then. Windows are keyed by the callers' clocks:
// hosts must keep their clocks in sync (NTP) for a limit to hold exactly.
// Threads: any. Errors: Unavailable when the database cannot be reached.
#ifndef CAMPAIGND_STORE_POSTGRES_PG_COORDINATION_H_
#define CAMPAIGND_STORE_POSTGRES_PG_COORDINATION_H_

#include <memory>
#include <mutex>
#include <string>

#include "store/postgres/listener.h"
#include "store/postgres/pool.h"
#include "store/store.h"

namespace campaignd::store::postgres {

inline constexpr std::chrono::seconds kRateWindowRetention{60};
inline constexpr std::chrono::seconds kRateCleanupInterval{30};

class PgCoordination final : public Coordination {
 public:
  // REQUIRES: `pool` outlives this; `url` is the pool's database.
  PgCoordination(std::string url, Pool& pool) : url_(std::move(url)), pool_(pool) {}
  ~PgCoordination() override { Close(); }

  Status Subscribe(Notifier& notifier) override;
  Result<std::chrono::milliseconds> AcquireRate(std::string_view key, int per_second,
                                                TimePoint now) override;
  Result<bool> CountInWindow(std::string_view key, int limit, std::chrono::seconds window,
                             TimePoint now) override;

  // Stops the listener. Idempotent.
  void Close();
  // The listener's connections so far (0 before Subscribe).
  uint64_t listener_connects();

 private:
  // Counts one in `key`'s window (its row keyed by `window`) unless it
  // holds `limit` already; the count with it, limit + 1 when full.
  Result<int> Count(std::string_view key, int64_t window, int limit, int64_t second,
                    std::string_view purpose);
  Status CleanUpOldWindows(Connection& conn, int64_t second);

  // Constant after construction.
  const std::string url_;
  Pool& pool_;

  std::mutex mu_;
  std::unique_ptr<Listener> listener_;  // guarded by mu_
  int64_t cleaned_at_second_ = 0;       // guarded by mu_
};

}  // namespace campaignd::store::postgres

#endif  // CAMPAIGND_STORE_POSTGRES_PG_COORDINATION_H_
