// FakeClock: a Clock that moves only when a test says so. Test-only.
// Threads: safe (atomic).
#ifndef CAMPAIGND_TESTING_FAKE_CLOCK_H_
#define CAMPAIGND_TESTING_FAKE_CLOCK_H_

#include <atomic>

#include "core/clock.h"

namespace campaignd::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = FromUnixMillis(1'700'000'000'000)) : ms_(ToUnixMillis(start)) {}
  TimePoint Now() const override { return FromUnixMillis(ms_.load()); }
  void Set(TimePoint t) { ms_ = ToUnixMillis(t); }
  template <typename Duration>
  void Advance(Duration d) {
    ms_ += std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  }

 private:
  std::atomic<int64_t> ms_;
};

}  // namespace campaignd::testing

#endif  // CAMPAIGND_TESTING_FAKE_CLOCK_H_
