// Outcome of one delivery attempt -> the mail's next state (behaviour.md
// §4.1, §4.2). The one place that decides retries, give-ups and bounces;
// the store applies the decision (MailQueue::Record) in one transaction.
//
// Retry policy (knobs in config/config.h, defaults in core/limits.h):
//   - 2xx (or the file written): sent.
//   - 5xx: could_not_be_sent at once, and one hard bounce on the recipient
//     (at the client's bounce limit later sends become too_many_bounces),
//     unless the relay refused the sender (5xx to MAIL FROM): no bounce.
//   - 4xx, connection, TLS or timeout failures: retry after
//     min_backoff * 2^(attempts-1), capped at max_backoff (1 min, 2, 4 ... 1 h),
//     but never later than created_at + lifetime: the last attempt happens
//     at the lifetime's end, and a failure at or after it is
//     could_not_be_sent ("retries exhausted"), without a bounce.
// Threads: pure functions.
#ifndef CAMPAIGND_QUEUE_OUTCOME_H_
#define CAMPAIGND_QUEUE_OUTCOME_H_

#include <chrono>
#include <string>

#include "core/limits.h"
#include "deliver/transport.h"
#include "store/store.h"

namespace campaignd::queue {

struct RetryPolicy {
  std::chrono::seconds min_backoff = limits::kMinBackoff;
  std::chrono::seconds max_backoff = limits::kMaxBackoff;
  std::chrono::seconds lifetime = limits::kMaxLifetime;
};

// The wait before the next attempt once `attempts` attempts failed
// (REQUIRES attempts >= 1).
std::chrono::seconds BackoffAfter(int attempts, const RetryPolicy& policy);

// The outcome of an SMTP (or file) attempt on `mail`, made at `now`.
store::Outcome DecideDelivery(const store::Mail& mail, const deliver::DeliveryResult& result,
                              TimePoint now, const RetryPolicy& policy);

// A final outcome without an attempt (suppressed, filtered, unrenderable...).
store::Outcome Final(const store::Mail& mail, MailStatus status, std::string reason,
                     TimePoint now);

}  // namespace campaignd::queue

#endif  // CAMPAIGND_QUEUE_OUTCOME_H_
