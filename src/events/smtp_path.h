// The envelope paths of the inbound SMTP listener (RFC 5321 §4.1.2): the
// argument of MAIL FROM / RCPT TO split into the path and its parameters,
// and the check every mailbox passes before the caller's policy sees it.
// What no VERP or complaint address of campaignd can be is refused here,
// whatever the policy would say: source routes, '%' and '!' paths, address
// literals, quoted local parts, addresses without a domain, overlong ones.
// Callers: events/smtp_session.cc. Input: untrusted command text.
// Threads: pure functions. Errors: a PathProblem, never a Status.
#ifndef CAMPAIGND_EVENTS_SMTP_PATH_H_
#define CAMPAIGND_EVENTS_SMTP_PATH_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace campaignd::events {

struct PathArgument {
  std::string path;                 // between '<' and '>', may be empty ("<>")
  std::vector<std::string> params;  // "KEY=VALUE" or "KEY", as sent
};

// "FROM:<path> [params]" for keyword "FROM" (ASCII case-insensitive; blanks
// allowed after the colon); nullopt when the argument has no "<...>" path
// or a '<' / '>' inside it.
std::optional<PathArgument> ParsePathArgument(std::string_view argument, std::string_view keyword);

enum class PathProblem {
  kNone,
  kSyntax,    // not one plain mailbox: no domain, quoted local part, bad characters
  kRouting,   // asks us to route: source route, '%', '!', '@' in the local part, [literal]
  kTooLong,   // local part > 64, domain > 255 or mailbox > 254 octets
  kNotAscii,  // non-ASCII without SMTPUTF8 on the MAIL command
};

// What is wrong with `mailbox` (a path without its angle brackets) as an
// address campaignd receives mail for; kNone when core's Address accepts it.
// With SMTPUTF8 a domain may be UTF-8 (IDN); a local part never is (core's
// Address has none, nor has any VERP address): kSyntax.
PathProblem CheckMailbox(std::string_view mailbox, bool smtputf8);

}  // namespace campaignd::events

#endif  // CAMPAIGND_EVENTS_SMTP_PATH_H_
