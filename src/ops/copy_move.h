// copy and move (form, mail; behaviour.md §3): the recipient of the code's
// (or mail's) list is copied into list bmListId of the same client (its
// field values for the fields the target list has, its state and opt-in
// data); move then deletes the original. Tokens in order: missing_id,
// syntax_error, wrong_id (bmListId not a list of this client), not_found
// (in neither list), ok ("ok: already_exist" with bmVerbose when the
// target has it already; move still deletes the original).
#ifndef CAMPAIGND_OPS_COPY_MOVE_H_
#define CAMPAIGND_OPS_COPY_MOVE_H_

#include "ops/operation.h"

namespace campaignd::ops {

Result<Reply> Copy(const Context& ctx);
Result<Reply> Move(const Context& ctx);

}  // namespace campaignd::ops

#endif  // CAMPAIGND_OPS_COPY_MOVE_H_
