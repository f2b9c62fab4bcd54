// VERP return paths: one grammar for building and parsing (verp.h).
#include "core/verp.h"

#include <limits>

#include "core/limits.h"

namespace campaignd {
namespace {

constexpr std::size_t kMaxLabelBytes = 63;  // RFC 1035 §2.3.4

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

std::string Lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

// The bounce local part: a dot-atom of letters, digits, '-' and '_' only
// (a strict subset of RFC 5322 atext: nothing a relay could read as routing).
Status CheckLocal(std::string_view local) {
  if (local.empty()) return Status::InvalidArgument("empty bounce local part");
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return Status::InvalidArgument("bounce local part is not a dot-atom");
  }
  for (char c : local) {
    if (!IsAlnum(c) && c != '.' && c != '-' && c != '_') {
      return Status::InvalidArgument(
          "bounce local part may hold only letters, digits, '.', '-', '_'");
    }
  }
  return Status::Ok();
}

// An ASCII host name: LDH labels of 1..63 octets, not starting or ending
// with '-', at least two of them.
Status CheckDomain(std::string_view domain) {
  if (domain.empty() || domain.size() > limits::kMaxDomainBytes) {
    return Status::InvalidArgument("bounce domain is empty or too long");
  }
  std::size_t labels = 0;
  std::size_t start = 0;
  while (start <= domain.size()) {
    std::size_t end = domain.find('.', start);
    if (end == std::string_view::npos) end = domain.size();
    std::string_view label = domain.substr(start, end - start);
    if (label.empty() || label.size() > kMaxLabelBytes || label.front() == '-' ||
        label.back() == '-') {
      return Status::InvalidArgument("bounce domain is not a host name");
    }
    for (char c : label) {
      if (!IsAlnum(c) && c != '-')
        return Status::InvalidArgument("bounce domain is not a host name");
    }
    ++labels;
    start = end + 1;
  }
  if (labels < 2) return Status::InvalidArgument("bounce domain needs a dot");
  return Status::Ok();
}

}  // namespace

Result<std::string> BuildReturnPath(std::string_view local, const MailId& mail_id,
                                    std::string_view domain) {
  CAMPAIGND_RETURN_IF_ERROR(CheckLocal(local));
  CAMPAIGND_RETURN_IF_ERROR(CheckDomain(domain));
  std::string full_local = Lowered(local) + "+" + mail_id.ToString();
  if (full_local.size() > limits::kMaxLocalPartBytes) {
    return Status::InvalidArgument("bounce local part too long for a return path");
  }
  return full_local + "@" + Lowered(domain);
}

Status CheckBounceSettings(std::string_view local, std::string_view domain) {
  constexpr int64_t kLongest = std::numeric_limits<int64_t>::max();
  return BuildReturnPath(local, MailId::Make(kLongest, kLongest, "-"), domain).status();
}

Result<VerpAddress> ParseVerpAddress(std::string_view address) {
  if (address.empty()) return Status::InvalidArgument("empty address");
  if (address.size() > limits::kMaxAddressBytes) return Status::InvalidArgument("address too long");
  // The refusals an open-relay probe tries, each named.
  if (address.front() == '<' || address.back() == '>') {
    return Status::InvalidArgument("angle brackets around the address");
  }
  if (address.front() == '@' || address.find(':') != std::string_view::npos) {
    return Status::InvalidArgument("source route");
  }
  if (address.find('"') != std::string_view::npos || address.find('\\') != std::string_view::npos) {
    return Status::InvalidArgument("quoted local part");
  }
  if (address.find('%') != std::string_view::npos) return Status::InvalidArgument("'%' hack");
  if (address.find('!') != std::string_view::npos) return Status::InvalidArgument("'!' path");
  std::size_t at = address.find('@');
  if (at == std::string_view::npos || address.find('@', at + 1) != std::string_view::npos) {
    return Status::InvalidArgument("not exactly one '@'");
  }
  std::string_view full_local = address.substr(0, at);
  std::string_view domain = address.substr(at + 1);
  if (full_local.size() > limits::kMaxLocalPartBytes) {
    return Status::InvalidArgument("local part too long");
  }
  std::size_t plus = full_local.find('+');
  if (plus == std::string_view::npos) return Status::InvalidArgument("no '+' before a mail ID");
  if (full_local.find('+', plus + 1) != std::string_view::npos) {
    return Status::InvalidArgument("more than one '+'");
  }
  std::string_view local = full_local.substr(0, plus);
  CAMPAIGND_RETURN_IF_ERROR(CheckLocal(local));
  CAMPAIGND_RETURN_IF_ERROR(CheckDomain(domain));
  Result<MailId> mail_id = MailId::Parse(full_local.substr(plus + 1));
  if (!mail_id.ok()) return mail_id.status().WithContext("VERP mail ID");
  return VerpAddress{Lowered(local), *mail_id, Lowered(domain)};
}

}  // namespace campaignd
