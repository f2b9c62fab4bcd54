#include "core/mail_status.h"

#include <array>
#include <utility>

namespace campaignd {
namespace {

constexpr std::array<std::pair<MailStatus, Token>, 11> kStatusTokens = {{
    {MailStatus::kEnqueued, Token::kEnqueued},
    {MailStatus::kSending, Token::kSending},
    {MailStatus::kSent, Token::kSent},
    {MailStatus::kCouldNotBeSent, Token::kCouldNotBeSent},
    {MailStatus::kBlacklisted, Token::kBlacklisted},
    {MailStatus::kUnsubscribed, Token::kUnsubscribed},
    {MailStatus::kTooManyBounces, Token::kTooManyBounces},
    {MailStatus::kFiltered, Token::kFiltered},
    {MailStatus::kNotFound, Token::kNotFound},
    {MailStatus::kWrongMailingStatus, Token::kWrongMailingStatus},
    {MailStatus::kVetoed, Token::kVetoed},
}};

}  // namespace

Token MailStatusToken(MailStatus status) {
  for (const auto& [s, t] : kStatusTokens) {
    if (s == status) return t;
  }
  return Token::kSystemError;
}

std::string_view MailStatusName(MailStatus status) { return TokenName(MailStatusToken(status)); }

std::optional<MailStatus> ParseMailStatus(std::string_view name) {
  for (const auto& [s, t] : kStatusTokens) {
    if (TokenName(t) == name) return s;
  }
  return std::nullopt;
}

bool IsFinal(MailStatus status) {
  return status != MailStatus::kEnqueued && status != MailStatus::kSending;
}

bool IsAllowedTransition(MailStatus from, MailStatus to) {
  if (IsFinal(from)) return false;
  if (to == MailStatus::kEnqueued) return false;
  // sending -> sending records another attempt (a deferral).
  return true;
}

}  // namespace campaignd
