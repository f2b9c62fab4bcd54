// VERP return paths (events.md §2): every mail's envelope sender is
// `<local>+<mailId>@<bounce domain>`, so a bounce names the mail it is about
// and the mail ID's MAC makes one for a mail campaignd never sent impossible
// to forge. deliver/ builds the envelope sender with BuildReturnPath; the
// inbound listener checks each RCPT TO with ParseVerpAddress (then the
// domain against the configured bounce domains and the MAC with the client's
// secret: this file checks syntax only).
// Input: ParseVerpAddress takes untrusted text (an SMTP path without its
// angle brackets). Threads: pure functions. Errors: InvalidArgument naming
// the refused construct.
#ifndef CAMPAIGND_CORE_VERP_H_
#define CAMPAIGND_CORE_VERP_H_

#include <string>
#include <string_view>

#include "core/mail_id.h"
#include "core/status.h"

namespace campaignd {

// One parsed VERP address. `local` and `domain` are lower-case ASCII (the
// domain in A-labels); `mail_id` is not verified yet.
struct VerpAddress {
  std::string local;
  MailId mail_id;
  std::string domain;
};

// `local+MAILID@domain` for mail `mail_id`: `local` is the bounce local part
// (letters, digits, '.', '-', '_' in dot-atom form; no '+'), `domain` a host
// name of ASCII LDH labels with at least one dot. Both are lower-cased, the
// mail ID is in canonical form. InvalidArgument when either is not so or
// the local part would pass 64 octets (RFC 5321 §4.5.3.1.1).
Result<std::string> BuildReturnPath(std::string_view local, const MailId& mail_id,
                                    std::string_view domain);

// A client's bounce settings (the one check of them: provisioning file,
// admin API): `local` and `domain` as BuildReturnPath takes them, and the
// return path fits for every mail ID (the longest one a client can have).
// InvalidArgument naming the part.
Status CheckBounceSettings(std::string_view local, std::string_view domain);

// The strict inverse of BuildReturnPath, for addresses from the network:
// refuses (InvalidArgument) angle brackets, source routes (`@a:b@c`), the
// `%` hack, `!` paths, quoted local parts, any '+' but exactly one, a mail
// ID that does not parse (MailId::Parse), a domain that is not ASCII LDH
// labels with a dot, and anything longer than an address may be. Any case
// is accepted; the result is normalised as above.
Result<VerpAddress> ParseVerpAddress(std::string_view address);

}  // namespace campaignd

#endif  // CAMPAIGND_CORE_VERP_H_
