// subscribe (form, mail; behaviour.md §3): adds or updates a recipient of
// the code's (or mail's) list and optionally starts an opt-in process
// (bmOptInId): single - active, no mail; confirmed - active, the
// confirmation mailing is sent as a notice; double - pending until the
// {bmOptInUrl} link of the confirmation mailing is followed, which is a
// mail-service subscribe on the pending recipient. Parameters: bmOverwrite,
// bmFailOnUnsubscribe, bmOptinFrequencyLimit (minutes, default 10),
// bmOptinSource, field values. Tokens in order: missing_id, syntax_error,
// blacklisted, too_many_bounces, unsubscribed, duplicate, ok / "ok: update".
// The rules and their reasons: docs/decisions/0010-recipient-operations.md.
#ifndef CAMPAIGND_OPS_SUBSCRIBE_H_
#define CAMPAIGND_OPS_SUBSCRIBE_H_

#include "ops/operation.h"

namespace campaignd::ops {

Result<Reply> Subscribe(const Context& ctx);

}  // namespace campaignd::ops

#endif  // CAMPAIGND_OPS_SUBSCRIBE_H_
