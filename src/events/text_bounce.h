// Non-standard bounces (events.md §2): the rules table for the bounce
// formats real MTAs still send without an RFC 3464 report part - qmail
// (and Yahoo's qmail-derived one), old Exim, Exchange text NDRs - and the
// fallback for any other message from a mailer daemon or with a bounce
// subject. A rule names the phrase that starts the list of failed
// addresses and the marker after which the returned message is copied
// inline. Called by report.cc with the first text part of the message.
// Input: untrusted text (bounded by the caller). Threads: pure.
#ifndef CAMPAIGND_EVENTS_TEXT_BOUNCE_H_
#define CAMPAIGND_EVENTS_TEXT_BOUNCE_H_

#include <cstddef>
#include <string_view>
#include <vector>

namespace campaignd::events {

struct TextBounceRecipient {
  std::string_view address;     // as written (angle brackets removed)
  std::string_view diagnostic;  // the lines under it (CR/LF included), or empty
};

struct TextBounce {
  std::string_view format;  // "qmail", "yahoo", "exim", "exim-delay", "exchange", "fallback"
  std::string_view action;  // "failed" or "delayed"
  // Failed addresses in order, at most `max_recipients`; `total` counts all.
  std::vector<TextBounceRecipient> recipients;
  std::size_t total = 0;
  // The inline copy of the returned message (after the rule's marker
  // line), empty if the rule has none or the body lacks it.
  std::string_view returned;
};

// The first rule of the table that `body` (and for the fallback `subject`
// or the From address `from`) matches, with what it found; false when none
// does. `body` must outlive `*out` (the views point into it).
bool MatchTextBounce(std::string_view subject, std::string_view from, std::string_view body,
                     std::size_t max_recipients, TextBounce* out);

}  // namespace campaignd::events

#endif  // CAMPAIGND_EVENTS_TEXT_BOUNCE_H_
