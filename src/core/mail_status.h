// MailStatus: the state machine of one mail (behaviour.md §4.1).
//   enqueued -> sending -> sent | could_not_be_sent
//   enqueued|sending -> blacklisted | unsubscribed | too_many_bounces |
//                       filtered | not_found | wrong_mailing_status | vetoed
// Only queue/ changes a mail's status (through one transition function).
#ifndef CAMPAIGND_CORE_MAIL_STATUS_H_
#define CAMPAIGND_CORE_MAIL_STATUS_H_

#include <optional>
#include <string_view>

#include "core/token.h"

namespace campaignd {

enum class MailStatus {
  kEnqueued,
  kSending,
  kSent,
  kCouldNotBeSent,
  kBlacklisted,
  kUnsubscribed,
  kTooManyBounces,
  kFiltered,
  kNotFound,
  kWrongMailingStatus,
  kVetoed,
};

// The stored and wire spelling (same as the getsendstatus token).
std::string_view MailStatusName(MailStatus status);
std::optional<MailStatus> ParseMailStatus(std::string_view name);
// The getsendstatus token for this status.
Token MailStatusToken(MailStatus status);
// True for every status but enqueued and sending: the mail is done.
bool IsFinal(MailStatus status);
// True when `to` may follow `from` (the diagram above).
bool IsAllowedTransition(MailStatus from, MailStatus to);

}  // namespace campaignd

#endif  // CAMPAIGND_CORE_MAIL_STATUS_H_
