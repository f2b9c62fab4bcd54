#include "deliver/rate_limiter.h"

#include <algorithm>
#include <cassert>
#include <thread>

namespace campaignd::deliver {

RateLimiter::RateLimiter(double per_second, double burst)
    : per_second_(per_second), burst_(burst), tokens_(burst), last_refill_(SteadyClock::now()) {
  assert(per_second >= 0);
  assert(burst >= 1);
}

void RateLimiter::Acquire() {
  if (per_second_ == 0) return;
  std::chrono::duration<double> wait{0};
  {
    std::lock_guard<std::mutex> lock(mu_);
    SteadyClock::time_point now = SteadyClock::now();
    std::chrono::duration<double> elapsed = now - last_refill_;
    tokens_ = std::min(burst_, tokens_ + elapsed.count() * per_second_);
    last_refill_ = now;
    tokens_ -= 1;
    if (tokens_ < 0) wait = std::chrono::duration<double>(-tokens_ / per_second_);
  }
  if (wait.count() > 0) std::this_thread::sleep_for(wait);
}

}  // namespace campaignd::deliver
