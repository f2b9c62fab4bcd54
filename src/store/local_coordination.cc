#include "store/local_coordination.h"

namespace campaignd::store {

std::chrono::milliseconds RateWait(int count_in_window, int per_second, TimePoint now) {
  if (count_in_window < per_second) return std::chrono::milliseconds(0);
  int64_t ms = ToUnixMillis(now);
  return std::chrono::milliseconds(1000 - ms % 1000);  // until the next window opens
}

Status LocalCoordination::Subscribe(Notifier& notifier) {
  std::lock_guard lock(mu_);
  notifier_ = &notifier;
  return Status::Ok();
}

Result<std::chrono::milliseconds> LocalCoordination::AcquireRate(std::string_view key,
                                                                 int per_second, TimePoint now) {
  const int64_t second = ToUnixMillis(now) / 1000;
  std::lock_guard lock(mu_);
  auto it = windows_.find(key);
  if (it == windows_.end()) it = windows_.emplace(std::string(key), Window{}).first;
  Window& w = it->second;
  if (w.second != second) w = Window{second, 0};
  auto wait = RateWait(w.count, per_second, now);
  if (wait.count() == 0) ++w.count;
  return wait;
}

}  // namespace campaignd::store
