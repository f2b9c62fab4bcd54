// subscribe (form, mail; behaviour.md §3): adds or updates a recipient of
// the code's (or mail's) list and optionally starts an opt-in process
// (bmOptInId): single - active, no mail; confirmed - active, the
// confirmation mailing is sent as a notice; double - pending until the
// {bmOptInUrl} link of the confirmation mailing is followed, which is a
// mail-service subscribe on the pending recipient. Parameters: bmOverwrite,
// bmFailOnUnsubscribe, bmOptinFrequencyLimit, bmOptinSource, field values.
// Tokens in order: missing_id, syntax_error, blacklisted, too_many_bounces,
// unsubscribed, duplicate, ok / "ok: update".
// Mail-bombing: a confirmation mail (double or confirmed) goes to one
// address at most once per frequency limit - the server's
// optin_frequency_limit (default 10 minutes), which bmOptinFrequencyLimit
// may raise but never lower - and one source (client + IPv4 address or IPv6
// /64) gets at most optin_source_limit of them per optin_source_window
// (default 100 per 10 minutes), counted in store Coordination windows
// shared by every process. A throttled subscribe is stored and answered as
// usual (ok), only without the mail, so a later one may send it.
// The rules and their reasons: docs/decisions/0010-recipient-operations.md.
#ifndef CAMPAIGND_OPS_SUBSCRIBE_H_
#define CAMPAIGND_OPS_SUBSCRIBE_H_

#include "ops/operation.h"

namespace campaignd::ops {

Result<Reply> Subscribe(const Context& ctx);

}  // namespace campaignd::ops

#endif  // CAMPAIGND_OPS_SUBSCRIBE_H_
