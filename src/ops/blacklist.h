// blacklist and unblacklist (form only; behaviour.md §3): add or remove a
// blocklist entry of the caller's client. bmPattern is an address or a
// wildcard pattern ('*' any run, '?' one character) with exactly one '@'
// and a character besides wildcards, '@' and '.' (core/address.h
// ParseBlockPattern, docs/decisions/0010-recipient-operations.md); unblacklist
// also takes a pattern of wildcards alone; bmReason defaults to
// "http-api". Tokens: missing_id, syntax_error, ok ("ok:
// already_blacklisted" / "ok: not_found" with bmVerbose).
#ifndef CAMPAIGND_OPS_BLACKLIST_H_
#define CAMPAIGND_OPS_BLACKLIST_H_

#include "ops/operation.h"

namespace campaignd::ops {

Result<Reply> Blacklist(const Context& ctx);
Result<Reply> Unblacklist(const Context& ctx);

}  // namespace campaignd::ops

#endif  // CAMPAIGND_OPS_BLACKLIST_H_
