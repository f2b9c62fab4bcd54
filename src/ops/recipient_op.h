// What the recipient operations (subscribe, unsubscribe, remove, copy,
// move, updatefields, tracking opt-out) share: the list they act on, the
// verbose form of "ok" (bmVerbose, behaviour.md §2) and the attribution of
// a request to a mail (the mail service's own mail, or bmMailId).
// Threads: store reads; call on the blocking pool.
#ifndef CAMPAIGND_OPS_RECIPIENT_OP_H_
#define CAMPAIGND_OPS_RECIPIENT_OP_H_

#include <optional>
#include <string_view>
#include <variant>

#include "ops/operation.h"

namespace campaignd::ops {

// The code's (or the mail's) list; wrong_tag: 505 when it is gone (auth
// saw it a moment ago, so only a concurrent delete gets here).
Result<std::variant<store::RecipientList, Reply>> TargetList(const Context& ctx);

// "ok", or "ok: <detail>" with bmVerbose=true.
Reply VerboseOk(const Context& ctx, std::string_view detail);

// The mail this request comes from: the mail service's own mail, else a
// valid bmMailId of the caller's client (a malformed, forged or foreign one
// is ignored: it never blocks the operation). Store failures: nullopt too.
std::optional<auth::MailRef> AttributedMail(const Context& ctx);

}  // namespace campaignd::ops

#endif  // CAMPAIGND_OPS_RECIPIENT_OP_H_
