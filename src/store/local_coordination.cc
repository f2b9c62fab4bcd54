#include "store/local_coordination.h"

#include <algorithm>

namespace campaignd::store {
namespace {

// How often ended CountInWindow windows are dropped.
constexpr std::chrono::seconds kPruneInterval{60};

}  // namespace

std::chrono::milliseconds RateWait(int count_in_window, int per_second, TimePoint now) {
  if (count_in_window < per_second) return std::chrono::milliseconds(0);
  int64_t ms = ToUnixMillis(now);
  return std::chrono::milliseconds(1000 - ms % 1000);  // until the next window opens
}

Status LocalCoordination::Subscribe(Notifier& /*notifier*/) { return Status::Ok(); }

// A one-second window of CountInWindow's.
Result<std::chrono::milliseconds> LocalCoordination::AcquireRate(std::string_view key,
                                                                 int per_second, TimePoint now) {
  Result<bool> counted = CountInWindow(key, per_second, std::chrono::seconds(1), now);
  if (!counted.ok()) return counted.status();
  return RateWait(*counted ? 0 : per_second, per_second, now);
}

Result<bool> LocalCoordination::CountInWindow(std::string_view key, int limit,
                                              std::chrono::seconds window, TimePoint now) {
  const int64_t second = ToUnixMillis(now) / 1000;
  const int64_t end = WindowEnd(second, window);
  std::lock_guard lock(mu_);
  if (second - pruned_at_second_ >= kPruneInterval.count()) {
    std::erase_if(counted_, [second](const auto& entry) { return entry.second.second <= second; });
    pruned_at_second_ = second;
  }
  auto it = counted_.find(key);
  if (it == counted_.end()) it = counted_.emplace(std::string(key), Window{}).first;
  Window& w = it->second;
  if (w.second != end) w = Window{end, 0};
  if (w.count >= limit) return false;
  ++w.count;
  return true;
}

int64_t WindowEnd(int64_t unix_second, std::chrono::seconds window) {
  const int64_t length = std::max<int64_t>(window.count(), 1);
  return (unix_second / length + 1) * length;
}

}  // namespace campaignd::store
