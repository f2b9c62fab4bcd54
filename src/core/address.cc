// Address parsing: local part (dot-atom or quoted-string, ASCII only), one
// '@', domain (LDH host name, IDN via libidn2, or address literal).
// Recipient IDs are case-insensitive: docs/decisions/0003-recipient-ids.md.
#include "core/address.h"

#include <arpa/inet.h>
#include <idn2.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "core/fields.h"
#include "core/limits.h"

namespace campaignd {
namespace {

// Upper bound on the raw input before any work is done on it: a valid
// address's UTF-8 form can be longer than its A-label form (about 3 bytes
// per CJK character against roughly one punycode character), never 4x.
constexpr std::size_t kMaxRawAddressBytes = 4 * limits::kMaxAddressBytes;
constexpr std::size_t kMaxLabelBytes = 63;  // RFC 1035 §2.3.4

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAscii(char c) { return static_cast<unsigned char>(c) < 0x80; }

// RFC 5322 §3.2.3 atext.
bool IsAtext(char c) {
  if (IsAlpha(c) || IsDigit(c)) return true;
  static constexpr std::string_view kSpecials = "!#$%&'*+-/=?^_`{|}~";
  return kSpecials.find(c) != std::string_view::npos;
}

// RFC 5321 §4.1.2 qtextSMTP (printable ASCII except '"' and '\').
bool IsQtext(char c) { return c >= 32 && c <= 126 && c != '"' && c != '\\'; }

// A character for an error message: 'x' when printable ASCII, else 0xHH,
// so that no raw control character of the input reaches a log or a reply.
std::string Describe(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u > 32 && u < 127) return std::string("'") + c + "'";
  if (u == 32) return "a space";
  static constexpr char kHex[] = "0123456789ABCDEF";
  return std::string("0x") + kHex[u >> 4] + kHex[u & 15];
}

Status Invalid(std::string reason) { return Status::InvalidArgument(std::move(reason)); }

bool IsDotAtom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = 0;
  for (char c : s) {
    if (c == '.' ? prev == '.' : !IsAtext(c)) return false;
    prev = c;
  }
  return true;
}

// Reads a quoted-string starting at text[0] == '"'. On success stores the
// unescaped content and the length consumed (including both quotes).
Status ReadQuoted(std::string_view text, std::string* content, std::size_t* consumed) {
  for (std::size_t i = 1; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      *consumed = i + 1;
      return Status::Ok();
    }
    if (c == '\\') {
      if (++i == text.size()) break;
      c = text[i];
      if (c < 32 || c > 126) return Invalid("invalid escaped character in quoted local part");
    } else if (!IsQtext(c)) {
      if (!IsAscii(c)) return Invalid("non-ASCII local part (SMTPUTF8 is not supported)");
      return Invalid("invalid character " + Describe(c) + " in quoted local part");
    }
    content->push_back(c);
  }
  return Invalid("unterminated quoted local part");
}

// Canonical local part: a dot-atom when the content is one, else a quoted
// string escaping only '"' and '\' (RFC 5321 §4.1.2: the simplest form).
std::string CanonicalLocal(const std::string& content) {
  if (IsDotAtom(content)) return content;
  std::string out = "\"";
  for (char c : content) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

Status CheckDotAtomLocal(std::string_view local) {
  if (local.empty()) return Invalid("empty local part");
  for (char c : local) {
    if (!IsAscii(c)) return Invalid("non-ASCII local part (SMTPUTF8 is not supported)");
    if (c != '.' && !IsAtext(c))
      return Invalid("invalid character " + Describe(c) + " in local part");
  }
  if (local.front() == '.' || local.back() == '.')
    return Invalid("local part starts or ends with '.'");
  if (local.find("..") != std::string_view::npos) return Invalid("local part contains '..'");
  return Status::Ok();
}

// Splits `text` into the canonical (not yet lower-cased) local part and
// the raw domain after the single unquoted '@'.
Status SplitAddress(std::string_view text, std::string* local, std::string_view* domain) {
  std::size_t at;
  if (text.front() == '"') {
    std::string content;
    std::size_t consumed = 0;
    CAMPAIGND_RETURN_IF_ERROR(ReadQuoted(text, &content, &consumed));
    if (content.empty()) return Invalid("empty quoted local part");
    if (consumed == text.size()) return Invalid("no '@'");
    if (text[consumed] != '@') return Invalid("text after the quoted local part");
    at = consumed;
    *local = CanonicalLocal(content);
  } else {
    at = text.find('@');
    if (at == std::string_view::npos) return Invalid("no '@'");
    CAMPAIGND_RETURN_IF_ERROR(CheckDotAtomLocal(text.substr(0, at)));
    *local = std::string(text.substr(0, at));
  }
  *domain = text.substr(at + 1);
  if (domain->find('@') != std::string_view::npos) return Invalid("more than one '@'");
  if (domain->empty()) return Invalid("empty domain");
  return Status::Ok();
}

// "[1.2.3.4]" or "[IPv6:...]". Sets the lower-case form (for IDs) and the
// wire form (tag spelled "IPv6:" as in RFC 5321 §4.1.3).
Status ParseLiteral(std::string_view domain, std::string* lower, std::string* wire) {
  if (domain.size() < 2 || domain.back() != ']') return Invalid("invalid address literal");
  std::string inner(domain.substr(1, domain.size() - 2));
  constexpr std::string_view kTag = "ipv6:";
  char buf[INET6_ADDRSTRLEN];
  if (LowerAscii(inner).starts_with(kTag)) {
    in6_addr a6;
    if (inet_pton(AF_INET6, inner.c_str() + kTag.size(), &a6) != 1 ||
        inet_ntop(AF_INET6, &a6, buf, sizeof buf) == nullptr) {
      return Invalid("invalid IPv6 address literal");
    }
    *wire = std::string("[IPv6:") + buf + "]";
  } else {
    in_addr a4;
    if (inet_pton(AF_INET, inner.c_str(), &a4) != 1 ||
        inet_ntop(AF_INET, &a4, buf, sizeof buf) == nullptr) {
      return Invalid("invalid IPv4 address literal");
    }
    *wire = std::string("[") + buf + "]";
  }
  *lower = LowerAscii(*wire);
  return Status::Ok();
}

// A lower-case host name of LDH labels, at least two, TLD not all digits.
Status CheckHostName(std::string_view host) {
  if (host.size() > limits::kMaxDomainBytes) return Invalid("domain too long");
  std::size_t labels = 0;
  bool numeric = false;
  while (true) {
    std::size_t dot = host.find('.');
    std::string_view label = host.substr(0, dot);
    if (label.empty()) return Invalid("invalid domain: empty label");
    if (label.size() > kMaxLabelBytes)
      return Invalid("invalid domain: label longer than 63 octets");
    if (label.front() == '-' || label.back() == '-') {
      return Invalid("invalid domain: label starts or ends with '-'");
    }
    numeric = true;
    for (char c : label) {
      if (!IsAlpha(c) && !IsDigit(c) && c != '-') {
        return Invalid("invalid domain: character " + Describe(c));
      }
      numeric = numeric && IsDigit(c);
    }
    ++labels;
    if (dot == std::string_view::npos) break;
    host.remove_prefix(dot + 1);
  }
  if (labels < 2) return Invalid("invalid domain: needs at least two labels");
  if (numeric) return Invalid("invalid domain: all-numeric top-level domain");
  return Status::Ok();
}

struct IdnFree {
  void operator()(char* p) const { idn2_free(p); }
};
using IdnString = std::unique_ptr<char, IdnFree>;

Status IdnToAscii(const std::string& in, std::string* out) {
  char* raw = nullptr;
  int rc = idn2_to_ascii_8z(in.c_str(), &raw, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  IdnString result(raw);
  if (rc != IDN2_OK) return Invalid(std::string("invalid domain: ") + idn2_strerror(rc));
  *out = LowerAscii(result.get());
  return Status::Ok();
}

Status IdnToUnicode(const std::string& in, std::string* out) {
  char* raw = nullptr;
  int rc = idn2_to_unicode_8z8z(in.c_str(), &raw, 0);
  IdnString result(raw);
  if (rc != IDN2_OK) return Invalid(std::string("invalid domain: ") + idn2_strerror(rc));
  *out = result.get();
  return Status::Ok();
}

bool NeedsIdn(std::string_view lower_domain) {
  for (char c : lower_domain) {
    if (!IsAscii(c)) return true;
  }
  return lower_domain.starts_with("xn--") || lower_domain.find(".xn--") != std::string_view::npos;
}

// Host name -> (Unicode NFC lower-case, A-labels).
Status ParseHostName(std::string_view domain, std::string* unicode, std::string* ascii) {
  if (domain.size() > limits::kMaxDomainBytes * 4) return Invalid("domain too long");
  std::string lower = LowerAscii(domain);
  if (!NeedsIdn(lower)) {
    CAMPAIGND_RETURN_IF_ERROR(CheckHostName(lower));
    *unicode = *ascii = lower;
    return Status::Ok();
  }
  CAMPAIGND_RETURN_IF_ERROR(IdnToAscii(lower, ascii));
  CAMPAIGND_RETURN_IF_ERROR(CheckHostName(*ascii));
  CAMPAIGND_RETURN_IF_ERROR(IdnToUnicode(*ascii, unicode));
  // libidn2 accepts some A-labels whose decoded form is not a valid U-label
  // (e.g. one decoding to a space); such a label does not survive the trip
  // back, so only labels that round-trip are accepted.
  std::string round_trip;
  if (!IdnToAscii(*unicode, &round_trip).ok() || round_trip != *ascii) {
    return Invalid("invalid domain: malformed A-label");
  }
  return Status::Ok();
}

// Length in bytes of the UTF-8 code point starting at s[i] (1 for a stray
// or truncated sequence, so that every byte is consumed exactly once).
std::size_t CodePointBytes(std::string_view s, std::size_t i) {
  auto lead = static_cast<unsigned char>(s[i]);
  std::size_t want = lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : lead < 0xF8 ? 4 : 1;
  std::size_t n = 1;
  while (n < want && i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
  return n;
}

char FoldAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

Result<Address> Address::Parse(std::string_view text, AddressLiterals literals) {
  if (text.empty()) return Invalid("empty address");
  if (text.size() > kMaxRawAddressBytes) return Invalid("address too long");
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto u = static_cast<unsigned char>(text[i]);
    if (u < 32 || u == 127) {
      return Invalid("control character " + Describe(text[i]) + " at position " +
                     std::to_string(i + 1));
    }
  }
  Address a;
  std::string_view domain;
  CAMPAIGND_RETURN_IF_ERROR(SplitAddress(text, &a.local_, &domain));
  a.local_ = LowerAscii(a.local_);
  if (a.local_.size() > limits::kMaxLocalPartBytes) return Invalid("local part too long");
  if (domain.front() == '[') {
    CAMPAIGND_RETURN_IF_ERROR(ParseLiteral(domain, &a.domain_, &a.domain_ascii_));
    if (literals == AddressLiterals::kRefuse) {
      return Invalid("address literals like [192.0.2.1] are not allowed (allow_address_literals)");
    }
  } else {
    CAMPAIGND_RETURN_IF_ERROR(ParseHostName(domain, &a.domain_, &a.domain_ascii_));
  }
  if (a.local_.size() + 1 + a.domain_ascii_.size() > limits::kMaxAddressBytes) {
    return Invalid("address too long");
  }
  a.text_ = a.local_ + "@" + a.domain_;
  return a;
}

// Iterative glob with one backtrack point (the last '*'): on a mismatch the
// last '*' absorbs one more code point and matching resumes after it. Earlier
// stars never need revisiting, so the cost is O(|pattern| * |address|) in
// the worst case and there is no recursion.
bool MatchesPattern(std::string_view pattern, std::string_view address) {
  std::size_t p = 0, s = 0;
  std::size_t star_p = std::string_view::npos, star_s = 0;
  while (s < address.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star_p = p++;
      star_s = s;
    } else if (p < pattern.size() && pattern[p] == '?') {
      ++p;
      s += CodePointBytes(address, s);
    } else if (p < pattern.size() && FoldAscii(pattern[p]) == FoldAscii(address[s])) {
      ++p;
      ++s;
    } else if (star_p != std::string_view::npos) {
      p = star_p + 1;
      star_s += CodePointBytes(address, star_s);
      s = star_s;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Result<std::string> ParseBlockPattern(std::string_view pattern, bool for_removal) {
  if (pattern.empty()) return Invalid("empty");
  if (pattern.size() > limits::kMaxAddressBytes) {
    return Invalid("longer than " + std::to_string(limits::kMaxAddressBytes) + " bytes");
  }
  for (unsigned char c : pattern) {
    if (c <= ' ' || c == 0x7f) return Invalid("contains a blank or control character");
  }
  if (std::count(pattern.begin(), pattern.end(), '@') != 1) {
    return Invalid("needs exactly one '@' (like *@example.com)");
  }
  if (!for_removal && pattern.find_first_not_of("*?@.") == std::string_view::npos) {
    return Invalid("'" + std::string(pattern) +
                   "' would match every address: it needs a character besides * ? @ and .");
  }
  if (pattern.find_first_of("*?") != std::string_view::npos) return LowerAscii(pattern);
  // A pattern only blocks, it never sends: an address literal is allowed here.
  Result<Address> address = Address::Parse(pattern, AddressLiterals::kAllow);
  if (!address.ok()) return address.status();
  return address->str();
}

}  // namespace campaignd
