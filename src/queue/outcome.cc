#include "queue/outcome.h"

#include <algorithm>

#include "events/classify.h"

namespace campaignd::queue {

std::chrono::seconds BackoffAfter(int attempts, const RetryPolicy& policy) {
  std::chrono::seconds delay = policy.min_backoff;
  for (int i = 1; i < attempts && delay < policy.max_backoff; ++i) delay *= 2;
  return std::min(delay, policy.max_backoff);
}

store::Outcome Final(const store::Mail& mail, MailStatus status, std::string reason,
                     TimePoint now) {
  store::Outcome o;
  o.mail_id = mail.id;
  o.status = status;
  o.reply = std::move(reason);
  o.at = now;
  return o;
}

store::Outcome DecideDelivery(const store::Mail& mail, const deliver::DeliveryResult& result,
                              TimePoint now, const RetryPolicy& policy) {
  store::Outcome o = Final(mail, MailStatus::kSent, result.reply, now);
  o.attempted = true;
  switch (result.kind) {
    case deliver::DeliveryKind::kDelivered:
      return o;
    case deliver::DeliveryKind::kPermanentFailure:
      o.status = MailStatus::kCouldNotBeSent;
      o.hard_bounce =
          result.smtp_code >= 500 && result.smtp_code <= 599 && !result.sender_refused;
      if (o.hard_bounce) o.status_code = events::FindStatusCode(result.reply);
      return o;
    case deliver::DeliveryKind::kTemporaryFailure:
      break;
  }
  TimePoint deadline = mail.created_at + policy.lifetime;
  if (now >= deadline) {
    o.status = MailStatus::kCouldNotBeSent;
    o.reply = "retries exhausted after " + std::to_string(mail.attempts + 1) +
              " attempts; last reply: " + result.reply;
    return o;
  }
  o.status = MailStatus::kSending;
  o.retry_at = std::min(now + BackoffAfter(mail.attempts + 1, policy), deadline);
  return o;
}

}  // namespace campaignd::queue
