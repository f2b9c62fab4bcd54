#include "store/postgres/pg_coordination.h"

#include "store/local_coordination.h"
#include "store/postgres/enqueue_batcher.h"

namespace campaignd::store::postgres {

Status PgCoordination::Subscribe(Notifier& notifier) {
  std::lock_guard lock(mu_);
  if (listener_ != nullptr) return Status::Internal("Subscribe called twice");
  // A first attempt that failed is not an error: the listener keeps trying
  // and notifies once it listens; workers poll meanwhile.
  listener_ = Listener::Start(url_, notifier);
  return Status::Ok();
}

void PgCoordination::Close() {
  std::unique_ptr<Listener> listener;
  {
    std::lock_guard lock(mu_);
    listener = std::move(listener_);
  }
  if (listener != nullptr) listener->Stop();
}

uint64_t PgCoordination::listener_connects() {
  std::lock_guard lock(mu_);
  return listener_ != nullptr ? listener_->connects() : 0;
}

Result<std::chrono::milliseconds> PgCoordination::AcquireRate(std::string_view key,
                                                              int per_second, TimePoint now) {
  if (per_second <= 0) return Status::InvalidArgument("rate limit must be positive");
  const int64_t second = ToUnixMillis(now) / 1000;
  Result<int> counted = Count(key, second, per_second, second, "count rate window");
  if (!counted.ok()) return counted.status();
  return RateWait(*counted - 1, per_second, now);
}

Result<bool> PgCoordination::CountInWindow(std::string_view key, int limit,
                                           std::chrono::seconds window, TimePoint now) {
  if (limit <= 0) return Status::InvalidArgument("window limit must be positive");
  const int64_t second = ToUnixMillis(now) / 1000;
  Result<int> counted = Count(key, WindowEnd(second, window), limit, second, "count window");
  if (!counted.ok()) return counted.status();
  return *counted <= limit;
}

Result<int> PgCoordination::Count(std::string_view key, int64_t window, int limit, int64_t second,
                                  std::string_view purpose) {
  Result<Pool::Lease> conn = pool_.Checkout();
  if (!conn.ok()) return conn.status().WithContext(purpose);
  Result<PgResult> counted = (*conn)->Query(
      "INSERT INTO rate_windows (key, second, count) VALUES ($1, $2, 1) "
      "ON CONFLICT (key, second) DO UPDATE SET count = rate_windows.count + 1 "
      "WHERE rate_windows.count < $3 RETURNING count",
      {std::string(key), window, int64_t{limit}}, purpose);
  if (!counted.ok()) return counted.status();
  CAMPAIGND_RETURN_IF_ERROR(CleanUpOldWindows(**conn, second));
  // No row: the window was full and nothing was counted.
  return counted->rows() == 0 ? limit + 1 : static_cast<int>(counted->Int(0, 0));
}

Status PgCoordination::CleanUpOldWindows(Connection& conn, int64_t second) {
  {
    std::lock_guard lock(mu_);
    if (second - cleaned_at_second_ < kRateCleanupInterval.count()) return Status::Ok();
    cleaned_at_second_ = second;
  }
  const int64_t oldest = second - kRateWindowRetention.count();
  return conn.Query("DELETE FROM rate_windows WHERE second < $1", {oldest}, "clean rate windows")
      .status();
}

}  // namespace campaignd::store::postgres
