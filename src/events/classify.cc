// Bounce classification: the order of classify.h and the rules table of
// well-known diagnostic texts (docs/decisions/0017-bounce-parsing.md).
#include "events/classify.h"

#include <array>

#include "events/text.h"

namespace campaignd::events {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

enum class TextRule { kMailboxFull, kUserUnknown, kPolicyBlock };

// Phrases of real MTAs' replies (Postfix, Exim, Exchange/Microsoft 365,
// Gmail, Yahoo, qmail, Sendmail), lower-case, checked in this order: a
// full mailbox first (its texts also say "mailbox"), then unknown users,
// then blocks (a block text rarely names the user; "user unknown" texts
// sometimes carry a spam filter's name).
struct DiagnosticRule {
  std::string_view phrase;
  TextRule rule;
};
constexpr std::array<DiagnosticRule, 41> kDiagnosticRules = {{
    {"mailbox full", TextRule::kMailboxFull},
    {"mailbox is full", TextRule::kMailboxFull},
    {"mailbox size limit", TextRule::kMailboxFull},
    {"quota exceeded", TextRule::kMailboxFull},
    {"over quota", TextRule::kMailboxFull},
    {"overquota", TextRule::kMailboxFull},
    {"exceeded storage allocation", TextRule::kMailboxFull},
    {"insufficient storage", TextRule::kMailboxFull},
    {"out of storage", TextRule::kMailboxFull},
    {"user unknown", TextRule::kUserUnknown},
    {"unknown user", TextRule::kUserUnknown},
    {"no such user", TextRule::kUserUnknown},
    {"no such mailbox", TextRule::kUserUnknown},
    {"no such recipient", TextRule::kUserUnknown},
    {"no mailbox here", TextRule::kUserUnknown},
    {"unknown recipient", TextRule::kUserUnknown},
    {"invalid recipient", TextRule::kUserUnknown},
    {"invalid mailbox", TextRule::kUserUnknown},
    {"recipient not found", TextRule::kUserUnknown},
    {"recipientnotfound", TextRule::kUserUnknown},
    {"mailbox not found", TextRule::kUserUnknown},
    {"user not found", TextRule::kUserUnknown},
    {"address not found", TextRule::kUserUnknown},
    {"does not exist", TextRule::kUserUnknown},
    {"doesn't exist", TextRule::kUserUnknown},
    {"doesn't have a", TextRule::kUserUnknown},  // Yahoo: "This user doesn't have a ... account"
    {"mailbox is disabled", TextRule::kUserUnknown},
    {"account is disabled", TextRule::kUserUnknown},
    {"account has been disabled", TextRule::kUserUnknown},
    {"unrouteable address", TextRule::kUserUnknown},  // Exim
    {"spam", TextRule::kPolicyBlock},
    {"unsolicited", TextRule::kPolicyBlock},
    {"blacklist", TextRule::kPolicyBlock},
    {"blocklist", TextRule::kPolicyBlock},
    {"black list", TextRule::kPolicyBlock},
    {"block list", TextRule::kPolicyBlock},
    {"spamhaus", TextRule::kPolicyBlock},
    {"blocked", TextRule::kPolicyBlock},
    {"reputation", TextRule::kPolicyBlock},
    {"policy", TextRule::kPolicyBlock},
    {"rejected due to content", TextRule::kPolicyBlock},
}};

const DiagnosticRule* MatchDiagnostic(std::string_view diagnostic) {
  for (const DiagnosticRule& rule : kDiagnosticRules) {
    if (ContainsIgnoringCase(diagnostic, rule.phrase)) return &rule;
  }
  return nullptr;
}

// Length of a run of 1..3 digits at text[i], 0 if none.
std::size_t Digits(std::string_view text, std::size_t i) {
  std::size_t n = 0;
  while (i + n < text.size() && IsDigit(text[i + n])) ++n;
  return n >= 1 && n <= 3 ? n : 0;
}

}  // namespace

std::string_view BounceCategoryName(BounceCategory category) {
  switch (category) {
    case BounceCategory::kNone:
      return "none";
    case BounceCategory::kSoft:
      return "soft";
    case BounceCategory::kHard:
      return "hard";
  }
  return "none";
}

std::string FindStatusCode(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '2' && c != '4' && c != '5') continue;
    if (i > 0 && (IsDigit(text[i - 1]) || text[i - 1] == '.')) continue;
    if (i + 1 >= text.size() || text[i + 1] != '.') continue;
    std::size_t subject = Digits(text, i + 2);
    if (subject == 0) continue;
    std::size_t dot = i + 2 + subject;
    if (dot >= text.size() || text[dot] != '.') continue;
    std::size_t detail = Digits(text, dot + 1);
    if (detail == 0) continue;
    std::size_t end = dot + 1 + detail;
    if (end < text.size() && (IsDigit(text[end]) || text[end] == '.')) continue;
    return std::string(text.substr(i, end - i));
  }
  return {};
}

Classification Classify(std::string_view action, std::string_view status,
                        std::string_view diagnostic) {
  if (EqualsIgnoringCase(action, "delayed")) return {BounceCategory::kSoft, "action delayed"};
  if (EqualsIgnoringCase(action, "delivered") || EqualsIgnoringCase(action, "relayed") ||
      EqualsIgnoringCase(action, "expanded")) {
    return {BounceCategory::kNone, "action not a failure"};
  }
  std::string code = FindStatusCode(status);
  if (code.empty()) code = FindStatusCode(diagnostic);
  char code_class = code.empty() ? 0 : code[0];
  if (code_class == '2') return {BounceCategory::kNone, "status 2"};

  if (const DiagnosticRule* rule = MatchDiagnostic(diagnostic)) {
    switch (rule->rule) {
      case TextRule::kMailboxFull:
        return {BounceCategory::kSoft, "mailbox full"};
      case TextRule::kPolicyBlock:
        return {BounceCategory::kSoft, "policy block"};
      case TextRule::kUserUnknown:
        if (code_class == '4') return {BounceCategory::kSoft, "status 4"};
        return {BounceCategory::kHard, "user unknown"};
    }
  }
  if (!code.empty()) {
    std::string_view rest = std::string_view(code).substr(2);  // "2.2", "7.1", "1.1"
    if (rest == "2.2") return {BounceCategory::kSoft, "mailbox full"};
    if (rest.substr(0, 2) == "7.") return {BounceCategory::kSoft, "policy block"};
    if (code_class == '5') return {BounceCategory::kHard, "status 5"};
    return {BounceCategory::kSoft, "status 4"};
  }
  if (EqualsIgnoringCase(action, "failed")) return {BounceCategory::kHard, "action failed"};
  return {BounceCategory::kNone, "no failure"};
}

}  // namespace campaignd::events
