#include "events/smtp_path.h"

#include <algorithm>

#include "core/address.h"
#include "core/limits.h"
#include "http/header_value.h"

namespace campaignd::events {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

std::optional<PathArgument> ParsePathArgument(std::string_view argument, std::string_view keyword) {
  if (!http::EqualsIgnoreCase(argument.substr(0, keyword.size()), keyword)) return std::nullopt;
  argument.remove_prefix(keyword.size());
  if (argument.empty() || argument.front() != ':') return std::nullopt;
  argument.remove_prefix(1);
  while (!argument.empty() && IsBlank(argument.front())) argument.remove_prefix(1);
  if (argument.empty() || argument.front() != '<') return std::nullopt;
  const std::size_t close = argument.find('>');
  if (close == std::string_view::npos) return std::nullopt;
  PathArgument out;
  out.path = std::string(argument.substr(1, close - 1));
  if (out.path.find('<') != std::string::npos) return std::nullopt;
  std::string_view rest = argument.substr(close + 1);
  if (!rest.empty() && !IsBlank(rest.front())) return std::nullopt;  // "<a>b", "<a>>"
  while (!rest.empty()) {
    while (!rest.empty() && IsBlank(rest.front())) rest.remove_prefix(1);
    const auto end = std::find_if(rest.begin(), rest.end(), IsBlank);
    const std::size_t n = static_cast<std::size_t>(end - rest.begin());
    if (n > 0) out.params.emplace_back(rest.substr(0, n));
    rest.remove_prefix(n);
  }
  return out;
}

PathProblem CheckMailbox(std::string_view mailbox, bool smtputf8) {
  if (mailbox.empty()) return PathProblem::kSyntax;
  if (mailbox.front() == '@') return PathProblem::kRouting;  // <@a,@b:user@c>
  const std::size_t at = mailbox.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == mailbox.size()) {
    return PathProblem::kSyntax;  // no domain (or no local part)
  }
  const std::string_view local = mailbox.substr(0, at);
  const std::string_view domain = mailbox.substr(at + 1);
  if (local.find_first_of("@%!") != std::string_view::npos) return PathProblem::kRouting;
  if (domain.front() == '[') return PathProblem::kRouting;  // an address literal
  if (local.find('"') != std::string_view::npos) return PathProblem::kSyntax;
  if (local.size() > limits::kMaxLocalPartBytes || domain.size() > limits::kMaxDomainBytes ||
      mailbox.size() > limits::kMaxAddressBytes) {
    return PathProblem::kTooLong;
  }
  const bool ascii = std::all_of(mailbox.begin(), mailbox.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (!ascii && !smtputf8) return PathProblem::kNotAscii;
  if (!Address::Parse(mailbox).ok()) return PathProblem::kSyntax;
  return PathProblem::kNone;
}

}  // namespace campaignd::events
