// RateLimiter: paces the messages one transport hands to its relay (a token
// bucket in messages per second). Used by SmtpTransport::Deliver(), once per
// message, before the message goes on the wire.
// Threads: Acquire() is safe from many threads; waiters sleep without the lock.
// Errors: none; Acquire() only waits.
//
// POLICY (why a bucket, and why this one)
//   Relays and mailbox providers limit senders per time unit ("100 mails per
//   second", "3600 per hour"); a sender that bursts above the limit gets 4xx
//   deferrals or is throttled as a spammer, which costs far more than waiting.
//   The limit belongs to the relay, so one bucket is shared by every worker
//   thread that uses the transport (behaviour.md §4.2: "enforced where SMTP is
//   spoken"); per-client limits are the queue's business.
// Knobs:
//   rate  - messages per second, from the transport URL (rate=N, fractions
//           allowed: rate=0.5 is one message every two seconds). 0 (the
//           default) means unlimited: Acquire() returns at once.
//   burst - how many messages may go back to back after an idle spell. The
//           transport uses 1 (kRelayBurst): messages are evenly spaced at
//           1/rate, so the relay never sees more than `rate` in any window
//           of one second, whatever window it measures. A larger burst would
//           finish short batches sooner but can exceed a sliding-window limit.
// Mechanics: tokens refill continuously at `rate` up to `burst`. A caller takes
//   one token; when none is left it takes one on credit (the count goes
//   negative) and sleeps until its token would have arrived. Credit orders the
//   callers first come, first served and needs no wake-ups: each caller knows
//   its own departure time when it leaves the lock.
// Stop condition: none needed; a waiter's sleep is bounded by
//   (callers ahead of it) / rate, and the caller count is bounded by the
//   number of worker threads.
#ifndef CAMPAIGND_DELIVER_RATE_LIMITER_H_
#define CAMPAIGND_DELIVER_RATE_LIMITER_H_

#include <chrono>
#include <mutex>

namespace campaignd::deliver {

// Burst the SMTP transport gives its limiter (see POLICY above).
inline constexpr double kRelayBurst = 1;

class RateLimiter {
 public:
  // `per_second` 0 disables limiting. REQUIRES: per_second >= 0, burst >= 1.
  RateLimiter(double per_second, double burst);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Blocks until the caller may send one message.
  void Acquire();

 private:
  using SteadyClock = std::chrono::steady_clock;

  // Constant after construction.
  const double per_second_;
  const double burst_;

  std::mutex mu_;
  double tokens_;                        // guarded by mu_; negative = taken on credit
  SteadyClock::time_point last_refill_;  // guarded by mu_
};

}  // namespace campaignd::deliver

#endif  // CAMPAIGND_DELIVER_RATE_LIMITER_H_
