// unsubscribe (form, mail; behaviour.md §3), also the RFC 8058 one-click
// POST to a mail's List-Unsubscribe URL (its body parameter
// List-Unsubscribe=One-Click is not a bm* parameter and is ignored).
// Marks the recipient unsubscribed in the list and puts the address on the
// client-wide unsubscribe list, attributed to the mail (bmMailId or the
// mail service's mail); bmRemoveId=true also removes it from every list of
// the client that is neither a test nor a transaction list.
// Tokens: missing_id, syntax_error, ok ("ok: already_unsubscribed",
// "ok: not_found" with bmVerbose). docs/decisions/0010-recipient-operations.md.
#ifndef CAMPAIGND_OPS_UNSUBSCRIBE_H_
#define CAMPAIGND_OPS_UNSUBSCRIBE_H_

#include "ops/operation.h"

namespace campaignd::ops {

Result<Reply> Unsubscribe(const Context& ctx);

}  // namespace campaignd::ops

#endif  // CAMPAIGND_OPS_UNSUBSCRIBE_H_
