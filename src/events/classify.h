// Bounce classification (events.md §2 "Classification"): hard or soft from
// a report's Action, Status and diagnostic text. The policy and its reasons:
// docs/decisions/0017-bounce-parsing.md. Called by the report parser
// (report.h) for every recipient entry, and by whoever classifies a reply
// text alone. Input: untrusted text of any size (only scanned). Threads:
// pure functions.
#ifndef CAMPAIGND_EVENTS_CLASSIFY_H_
#define CAMPAIGND_EVENTS_CLASSIFY_H_

#include <string>
#include <string_view>

namespace campaignd::events {

enum class BounceCategory { kNone, kSoft, kHard };

// "none", "soft", "hard" (the `category` of a bounce event, events.md §1).
std::string_view BounceCategoryName(BounceCategory category);

struct Classification {
  BounceCategory category = BounceCategory::kNone;
  // The rule that decided, for the log and the tests: "action delayed",
  // "mailbox full", "user unknown", "policy block", "status 5", ...
  std::string_view rule;
};

// Decides in this order (first match wins):
//  1. Action delayed -> soft; delivered, relayed, expanded -> none.
//  2. The status (or, when it is missing, the first RFC 3463 code in the
//     diagnostic) is 2.x.x -> none.
//  3. The diagnostic rules table: mailbox full -> soft, user unknown -> hard
//     (soft when the status is 4.x.x: the server said "try again"), spam and
//     policy blocks -> soft.
//  4. The status: x.2.2 (mailbox full) and x.7.x (policy) -> soft; other
//     5.x.x -> hard; 4.x.x -> soft.
//  5. Action failed -> hard; anything else -> none.
// `action` and `status` as in an RFC 3464 group (any case; status like
// "5.1.1", or empty), `diagnostic` any reply text.
Classification Classify(std::string_view action, std::string_view status,
                        std::string_view diagnostic);

// The first RFC 3463 enhanced status code (class 2, 4 or 5, then 1-3 and
// 1-3 digits, not inside a longer number) in `text`, e.g. "5.1.1" from
// "550 5.1.1 <a@b.example>: user unknown" or "(#5.1.1)"; empty if none.
std::string FindStatusCode(std::string_view text);

}  // namespace campaignd::events

#endif  // CAMPAIGND_EVENTS_CLASSIFY_H_
