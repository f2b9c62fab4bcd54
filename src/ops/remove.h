// remove (form, mail; behaviour.md §3): deletes the recipient from the
// code's (or mail's) list; it is not unsubscribed. Tokens: missing_id,
// syntax_error, ok ("ok: not_found" with bmVerbose).
#ifndef CAMPAIGND_OPS_REMOVE_H_
#define CAMPAIGND_OPS_REMOVE_H_

#include "ops/operation.h"

namespace campaignd::ops {

Result<Reply> Remove(const Context& ctx);

}  // namespace campaignd::ops

#endif  // CAMPAIGND_OPS_REMOVE_H_
