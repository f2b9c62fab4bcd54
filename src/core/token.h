// The result tokens of the HTTP API (behaviour.md §3) and Reply, the answer
// an operation gives. A business "no" (not_found, wrong_mailing_status, ...)
// is a Token; a failure to do the work at all is a Status (status.h).
// The spelling of every token lives in ONE table in token.cc.
#ifndef CAMPAIGND_CORE_TOKEN_H_
#define CAMPAIGND_CORE_TOKEN_H_

#include <optional>
#include <string>
#include <string_view>

namespace campaignd {

enum class Token {
  kOk,
  kEnqueued,
  kSending,
  kSent,
  kCouldNotBeSent,
  kVetoed,
  kWrongMailingStatus,
  kWrongMailingType,
  kBlacklisted,
  kTooManyBounces,
  kFiltered,
  kNotFound,
  kUnsubscribed,
  kDuplicate,
  kWrongId,
  kMissingId,
  kSyntaxError,
  kWrongTag,
  kFileUploadFailed,
  kSystemError,
};

// The wire spelling, e.g. "could_not_be_sent".
std::string_view TokenName(Token token);

// Inverse of TokenName; nullopt for an unknown spelling.
std::optional<Token> ParseToken(std::string_view name);

// The answer of one operation. `success` decides between bmSuccessUrl and
// bmFailureUrl; it is explicit because the same token can be either (for
// getsendstatus, "blacklisted" is a successful answer about a mail).
struct Reply {
  Token token = Token::kSystemError;
  std::string detail;  // empty: bare token
  bool success = false;
  // Non-empty: an HTML page answered instead of the token (onlineversion
  // renders a mailing); http/ sends it as 200 text/html. The token still
  // names the outcome for logs.
  std::string page;

  static Reply Success(Token token, std::string detail = {}) {
    return Reply{token, std::move(detail), true, {}};
  }
  static Reply Failure(Token token, std::string detail = {}) {
    return Reply{token, std::move(detail), false, {}};
  }
  // A successful answer that is an HTML page.
  static Reply Page(std::string html) { return Reply{Token::kOk, {}, true, std::move(html)}; }
  // wrong_tag with its sub-code 501..507.
  static Reply WrongTag(int code) { return Failure(Token::kWrongTag, std::to_string(code)); }

  // The response body: "token" or "token: detail" (colon, one space).
  std::string Body() const;

  bool operator==(const Reply&) const = default;
};

}  // namespace campaignd

#endif  // CAMPAIGND_CORE_TOKEN_H_
