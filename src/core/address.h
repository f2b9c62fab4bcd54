// Address: a validated email address (RFC 5321 Mailbox / RFC 5322 addr-spec,
// dot-atom or quoted local part, IDN domains allowed). Built at the edge
// from untrusted text; inner layers take only Address values.
// Normalisation (docs/decisions/0003-recipient-ids.md): recipient IDs are
// case-insensitive, so str() is lower-cased (ASCII letters of the local
// part; the domain lower-cased and in NFC via libidn2). Surrounding
// whitespace is an error, not trimmed.
// Input: untrusted UTF-8. Threads: a value type.
#ifndef CAMPAIGND_CORE_ADDRESS_H_
#define CAMPAIGND_CORE_ADDRESS_H_

#include <string>
#include <string_view>

#include "core/status.h"

namespace campaignd {

// Whether a domain may be an address literal (user@[192.0.2.1]). Mail to a
// literal goes to that IP itself, so a caller of the API could make the
// relay connect to hosts of the server's own network: the entry points of
// recipient addresses refuse literals unless the operator's setting
// allow_address_literals says otherwise (docs/decisions/0014-relay-policy.md).
// Stored addresses (already checked on the way in) are re-read with kAllow.
enum class AddressLiterals { kRefuse, kAllow };

class Address {
 public:
  // InvalidArgument (with a reason) unless `text` is one valid address:
  // exactly one unquoted '@', local part <= 64 octets, domain a host name of
  // LDH labels (or U-labels that libidn2 accepts) with at least one dot, or
  // (with kAllow only) an address literal [IPv4]/[IPv6:...]; total <= 254
  // octets; no control characters, spaces (outside quotes) or CR/LF anywhere.
  // A literal under kRefuse: "address literals like [192.0.2.1] are not
  // allowed (allow_address_literals)".
  static Result<Address> Parse(std::string_view text,
                               AddressLiterals literals = AddressLiterals::kRefuse);
  // The form for a setting: kAllow when `allowed`.
  static AddressLiterals Literals(bool allowed) {
    return allowed ? AddressLiterals::kAllow : AddressLiterals::kRefuse;
  }

  // local@domain, domain in Unicode (as a person writes it).
  const std::string& str() const { return text_; }
  const std::string& local_part() const { return local_; }
  const std::string& domain() const { return domain_; }
  // The domain as A-labels (punycode), for the SMTP envelope and headers
  // (an address literal keeps its tag spelled "IPv6:" here, lower-case in
  // domain()).
  const std::string& domain_ascii() const { return domain_ascii_; }
  // local@domain_ascii: the envelope form.
  std::string ToAscii() const { return local_ + "@" + domain_ascii_; }

  bool operator==(const Address&) const = default;

 private:
  Address() = default;
  std::string text_, local_, domain_, domain_ascii_;
};

// True when `address` matches the blocklist `pattern` ('*' any run of
// characters, '?' one UTF-8 code point; ASCII case-insensitive). Iterative,
// O(|pattern| * |address|) at worst: safe on untrusted patterns.
bool MatchesPattern(std::string_view pattern, std::string_view address);

// The one check of a blocklist pattern, wherever it comes from (the public
// blacklist operation, the admin API and CLI, the provisioning file): an
// address, or a wildcard pattern ('*', '?') with exactly one '@', at most
// 254 octets, no blank or control character, and at least one character
// besides '*', '?', '@' and '.' (a pattern made of those alone, like *@*,
// ?*@* or *@*.*, would block every address of the client). Returns the
// stored form: an address normalised as Parse does, a pattern lower-cased
// (ASCII). InvalidArgument naming the problem otherwise. `for_removal`
// (unblacklist, DELETE) lets a pattern of wildcards alone through, so that
// one stored before this rule can still be removed.
Result<std::string> ParseBlockPattern(std::string_view pattern, bool for_removal = false);

}  // namespace campaignd

#endif  // CAMPAIGND_CORE_ADDRESS_H_
