// The rules table of non-standard bounces (text_bounce.h). Layouts read
// (fixtures in tests/fixtures/bounces/):
//   qmail/Yahoo:  "<addr>:" line, then the reason lines, blank line; the
//                 copy follows "--- Below this line is a copy of the message."
//   Exim (old):   "  addr" indented, reason lines indented deeper; the copy
//                 follows "------ This is a copy of the message, ..."
//   Exchange:     "      addr on DATE" then indented reason lines ending in
//                 "<mx #5.1.1 smtp;550 ...>"; the copy is an attachment.
// A recipient line is a line whose first word (angle brackets and a final
// ':' removed) is an address with one '@' and no space; the lines under it
// up to a blank line or the next recipient line are its diagnostic.
#include "events/text_bounce.h"

#include <array>

#include "events/text.h"

namespace campaignd::events {
namespace {

struct TextBounceRule {
  std::string_view format;
  std::string_view start;  // lower-case phrase of the body; addresses follow its line
  std::string_view copy;   // lower-case phrase of the line before the inline copy, or empty
  std::string_view action;
};

// Checked in order: Exim's delay warning before its failure (both carry
// Exim's first line). The fallback is not in the table (see below).
constexpr std::array<TextBounceRule, 6> kRules = {{
    {"qmail", "this is the qmail-send program", "--- below this line is a copy of the message",
     "failed"},
    {"yahoo", "we were unable to deliver your message to the following address",
     "--- below this line is a copy of the message", "failed"},
    {"exim-delay", "has not yet been delivered to one or more of its",
     "------ this is a copy of the message", "delayed"},
    {"exim", "this message was created automatically by mail delivery software",
     "------ this is a copy of the message", "failed"},
    {"exchange", "the following recipient(s) cannot be reached", "", "failed"},
    {"exchange", "delivery has failed to these recipients or groups", "", "failed"},
}};

// Fallback: a message from one of these local parts, or with one of these
// subjects, is a bounce of a format the table does not know: its recipient
// lines are read from the whole body.
constexpr std::array<std::string_view, 2> kDaemonLocals = {"mailer-daemon", "postmaster"};
constexpr std::array<std::string_view, 10> kBounceSubjects = {"undeliver",
                                                              "undelivered mail",
                                                              "delivery status notification",
                                                              "returned mail",
                                                              "failure notice",
                                                              "delivery failure",
                                                              "mail delivery failed",
                                                              "could not be delivered",
                                                              "nondeliverable",
                                                              "delivery has failed"};

bool IsAddressChar(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > ' ' && u != 0x7F && c != '<' && c != '>' && c != '(' && c != ')' && c != ',' &&
         c != ';' && c != '"' && c != '[' && c != ']' && c != ':';
}

// The address a recipient line starts with, or empty.
std::string_view RecipientOfLine(std::string_view line) {
  std::string_view s = TrimSpace(line);
  bool angle = !s.empty() && s.front() == '<';
  if (angle) s.remove_prefix(1);
  std::size_t n = 0;
  while (n < s.size() && IsAddressChar(s[n])) ++n;
  std::string_view address = s.substr(0, n);
  std::string_view rest = s.substr(n);
  if (angle) {
    if (rest.empty() || rest.front() != '>') return {};
    rest.remove_prefix(1);
  }
  if (!rest.empty() && rest.front() == ':') rest.remove_prefix(1);
  if (!rest.empty() && rest.front() != ' ' && rest.front() != '\t') return {};
  std::size_t at = address.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size() ||
      address.find('@', at + 1) != std::string_view::npos ||
      address.find('.', at) == std::string_view::npos) {
    return {};
  }
  return address;
}

// Reads recipient lines of body[from, to).
void ReadRecipients(std::string_view body, std::size_t from, std::size_t to,
                    std::size_t max_recipients, TextBounce* out) {
  std::string_view text = body.substr(0, to);
  std::size_t pos = from;
  bool in_paragraph = false;  // the lines below a kept recipient line
  std::size_t begin = 0;      // its diagnostic: text[begin, end)
  std::size_t end = 0;
  auto finish = [&] {
    if (in_paragraph && end > begin)
      out->recipients.back().diagnostic = text.substr(begin, end - begin);
    in_paragraph = false;
  };
  while (pos < text.size()) {
    std::size_t line_start = pos;
    std::string_view line = NextLine(text, &pos);
    if (TrimSpace(line).empty()) {
      finish();
      continue;
    }
    std::string_view address = RecipientOfLine(line);
    if (!address.empty()) {
      finish();
      ++out->total;
      if (out->recipients.size() < max_recipients) {
        out->recipients.push_back({address, {}});
        in_paragraph = true;
        begin = end = pos;
      }
      continue;
    }
    if (in_paragraph) {
      if (end == begin) begin = line_start;
      end = pos;
    }
  }
  finish();
}

// The text after the line holding `marker` (leading blank lines skipped).
std::string_view CopyAfter(std::string_view body, std::size_t marker_at) {
  std::size_t line_end = body.find('\n', marker_at);
  if (line_end == std::string_view::npos) return {};
  std::string_view rest = body.substr(line_end + 1);
  while (!rest.empty() && (rest.front() == '\n' || rest.front() == '\r')) rest.remove_prefix(1);
  return rest;
}

bool IsFromDaemon(std::string_view from) {
  std::size_t at = from.find('@');
  std::string_view local = from.substr(0, at);
  for (std::string_view daemon : kDaemonLocals) {
    if (EqualsIgnoringCase(local, daemon)) return true;
  }
  return false;
}

bool HasBounceSubject(std::string_view subject) {
  for (std::string_view phrase : kBounceSubjects) {
    if (ContainsIgnoringCase(subject, phrase)) return true;
  }
  return false;
}

}  // namespace

bool MatchTextBounce(std::string_view subject, std::string_view from, std::string_view body,
                     std::size_t max_recipients, TextBounce* out) {
  for (const TextBounceRule& rule : kRules) {
    std::size_t start = FindIgnoringCase(body, rule.start);
    if (start == std::string_view::npos) continue;
    std::size_t end = body.size();
    if (!rule.copy.empty()) {
      std::size_t copy = FindIgnoringCase(body, rule.copy, start);
      if (copy != std::string_view::npos) {
        end = body.rfind('\n', copy) == std::string_view::npos ? copy : body.rfind('\n', copy) + 1;
        out->returned = CopyAfter(body, copy);
      }
    }
    std::size_t list = body.find('\n', start);
    out->format = rule.format;
    out->action = rule.action;
    ReadRecipients(body, list == std::string_view::npos ? end : std::min(list + 1, end), end,
                   max_recipients, out);
    return true;
  }
  if (!IsFromDaemon(from) && !HasBounceSubject(subject)) return false;
  out->format = "fallback";
  out->action = "failed";
  ReadRecipients(body, 0, body.size(), max_recipients, out);
  return true;
}

}  // namespace campaignd::events
