// Mailbox: one "Display Name <addr>" of a From or Reply-To header, parsed
// from the rendered template text and written back as a header field with
// the display name quoted or RFC 2047 encoded and the domain punycoded.
// Called by message.cc. Input: rendered text with untrusted field values.
// Threads: pure functions. Errors: InvalidArgument (with the reason) when
// the address part is not a valid Address.
#ifndef CAMPAIGND_RENDER_MAILBOX_H_
#define CAMPAIGND_RENDER_MAILBOX_H_

#include <string>
#include <string_view>

#include "core/address.h"
#include "core/status.h"

namespace campaignd::render {

struct Mailbox {
  std::string display_name;  // UTF-8, sanitized; empty when none
  Address address;
};

// Parses "addr", "Name <addr>" or "\"Name\" <addr>". The address is the
// text inside the last '<' ... '>' pair, so a display name that itself holds
// '<', '>' or ',' stays part of the name (it is quoted on output).
Result<Mailbox> ParseMailbox(std::string_view text);

// The header field "Name: display <local@domain-ascii>" + CRLF: the display
// name as atoms when it is plain, as a quoted-string when it holds RFC 5322
// specials, as encoded words when it is not printable ASCII or holds "=?".
Result<std::string> MailboxField(std::string_view name, const Mailbox& mailbox);

}  // namespace campaignd::render

#endif  // CAMPAIGND_RENDER_MAILBOX_H_
