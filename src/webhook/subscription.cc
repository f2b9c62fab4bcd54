#include "webhook/subscription.h"

#include <algorithm>
#include <array>
#include <boost/url/parse.hpp>
#include <set>

#include "core/fields.h"
#include "core/hex.h"
#include "core/mail_id.h"
#include "webhook/signature.h"

namespace campaignd::webhook {
namespace {

using store::events::WebhookAuth;
using store::events::WebhookState;

bool IsTokenChar(char c) {  // RFC 9110 tchar
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Headers the dispatcher writes itself or that belong to the connection:
// a keyAuth header may not replace them.
constexpr std::array<std::string_view, 16> kReservedHeaders = {"connection",
                                                               "keep-alive",
                                                               "proxy-connection",
                                                               "proxy-authorization",
                                                               "proxy-authenticate",
                                                               "te",
                                                               "trailer",
                                                               "transfer-encoding",
                                                               "upgrade",
                                                               "host",
                                                               "content-length",
                                                               "content-type",
                                                               "content-encoding",
                                                               "expect",
                                                               "user-agent",
                                                               "x-campaignd-signature"};

// A header value or basicAuth part: printable, no line ends, bounded.
std::optional<std::string> ValueProblem(std::string_view value) {
  if (value.size() > kMaxAuthBytes) {
    return "at most " + std::to_string(kMaxAuthBytes) + " bytes";
  }
  for (unsigned char c : value) {
    if (c == '\r' || c == '\n') return "must not contain a line break (CR or LF)";
    if (c < 0x20 && c != '\t') return "must not contain control characters";
    if (c == 0x7f) return "must not contain control characters";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> UrlProblem(std::string_view url) {
  if (url.empty()) return "required: an absolute http:// or https:// URL";
  if (url.size() > kMaxUrlBytes) return "at most " + std::to_string(kMaxUrlBytes) + " bytes";
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return "expected an absolute http:// or https:// URL";
  const std::string scheme = LowerAscii(parsed->scheme());
  if (scheme != "http" && scheme != "https") {
    return "expected an http:// or https:// URL, not " + scheme + ":";
  }
  if (!parsed->has_authority() || parsed->host().empty()) return "expected a host";
  if (parsed->has_userinfo()) {
    return "must not carry a user or password (use auth basicAuth)";
  }
  if (parsed->has_port()) {
    if (parsed->port().empty() || parsed->port_number() == 0) return "expected a port 1..65535";
  }
  return std::nullopt;
}

std::vector<Problem> SubscriptionProblems(const store::events::Webhook& w,
                                          bool secret_may_be_kept) {
  std::vector<Problem> problems;
  if (auto p = UrlProblem(w.url)) problems.push_back({"url", *p});
  if (w.types.empty()) {
    problems.push_back({"types", "expected at least one event type"});
  } else {
    std::set<store::events::EventType> seen(w.types.begin(), w.types.end());
    if (seen.size() != w.types.size()) problems.push_back({"types", "names a type twice"});
  }
  const bool secret_missing = w.auth_secret.empty() && !secret_may_be_kept;
  switch (w.auth) {
    case WebhookAuth::kNone:
      if (!w.auth_name.empty() || !w.auth_secret.empty()) {
        problems.push_back({"auth", "none takes no name or secret"});
      }
      break;
    case WebhookAuth::kBasicAuth:
      if (w.auth_name.empty()) {
        problems.push_back({"auth_name", "basicAuth needs a user"});
      } else if (w.auth_name.find(':') != std::string::npos) {
        problems.push_back({"auth_name", "a basicAuth user must not contain ':'"});
      } else if (auto p = ValueProblem(w.auth_name)) {
        problems.push_back({"auth_name", *p});
      }
      if (secret_missing) problems.push_back({"auth_secret", "basicAuth needs a password"});
      if (auto p = ValueProblem(w.auth_secret)) problems.push_back({"auth_secret", *p});
      break;
    case WebhookAuth::kKeyAuth: {
      if (w.auth_name.empty() || w.auth_name.size() > 128 ||
          !std::all_of(w.auth_name.begin(), w.auth_name.end(), IsTokenChar)) {
        problems.push_back({"auth_name", "keyAuth needs a header name (letters, digits, -)"});
      } else if (std::find(kReservedHeaders.begin(), kReservedHeaders.end(),
                           LowerAscii(w.auth_name)) != kReservedHeaders.end()) {
        problems.push_back(
            {"auth_name", "header " + w.auth_name + " is set by campaignd or the connection"});
      }
      if (secret_missing) problems.push_back({"auth_secret", "keyAuth needs a header value"});
      if (auto p = ValueProblem(w.auth_secret)) problems.push_back({"auth_secret", *p});
      break;
    }
  }
  return problems;
}

bool AuthSecretMayBeKept(const store::events::Webhook& stored,
                         const store::events::Webhook& changed) {
  return changed.auth == stored.auth && changed.url == stored.url;
}

std::string NewSigningSecret() { return NewMailIdSecret(); }

std::string SigningKey(std::string_view signing_secret) { return HexLower(signing_secret); }

}  // namespace campaignd::webhook
