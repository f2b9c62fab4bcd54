// Clock: the only source of "now" (tests inject testing/fake_clock.h).
// Threads: implementations are safe to call from any thread.
#ifndef CAMPAIGND_CORE_CLOCK_H_
#define CAMPAIGND_CORE_CLOCK_H_

#include <chrono>
#include <cstdint>

namespace campaignd {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

// Milliseconds since the Unix epoch: how times are stored.
inline int64_t ToUnixMillis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline TimePoint FromUnixMillis(int64_t ms) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(ms)));
}

}  // namespace campaignd

#endif  // CAMPAIGND_CORE_CLOCK_H_
