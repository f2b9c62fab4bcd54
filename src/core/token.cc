#include "core/token.h"

#include <array>
#include <utility>

namespace campaignd {
namespace {

// The one table of token spellings (behaviour.md §3, http-api-reference §4.2).
constexpr std::array<std::pair<Token, std::string_view>, 20> kTokenNames = {{
    {Token::kOk, "ok"},
    {Token::kEnqueued, "enqueued"},
    {Token::kSending, "sending"},
    {Token::kSent, "sent"},
    {Token::kCouldNotBeSent, "could_not_be_sent"},
    {Token::kVetoed, "vetoed"},
    {Token::kWrongMailingStatus, "wrong_mailing_status"},
    {Token::kWrongMailingType, "wrong_mailing_type"},
    {Token::kBlacklisted, "blacklisted"},
    {Token::kTooManyBounces, "too_many_bounces"},
    {Token::kFiltered, "filtered"},
    {Token::kNotFound, "not_found"},
    {Token::kUnsubscribed, "unsubscribed"},
    {Token::kDuplicate, "duplicate"},
    {Token::kWrongId, "wrong_id"},
    {Token::kMissingId, "missing_id"},
    {Token::kSyntaxError, "syntax_error"},
    {Token::kWrongTag, "wrong_tag"},
    {Token::kFileUploadFailed, "file_upload_failed"},
    {Token::kSystemError, "system_error"},
}};

}  // namespace

std::string_view TokenName(Token token) {
  for (const auto& [t, name] : kTokenNames) {
    if (t == token) return name;
  }
  return "system_error";
}

std::optional<Token> ParseToken(std::string_view name) {
  for (const auto& [t, n] : kTokenNames) {
    if (n == name) return t;
  }
  return std::nullopt;
}

std::string Reply::Body() const {
  std::string body(TokenName(token));
  if (!detail.empty()) {
    body += ": ";
    body += detail;
  }
  return body;
}

}  // namespace campaignd
