// updatefields (form, mail; behaviour.md §3): changes field values of the
// recipient of the code's (or mail's) list. A parameter "name" overwrites;
// "name[add]", "name[sub]" (int/decimal) and "name[prepend]",
// "name[append]" (text) modify; bmSanitize=true HTML-escapes the values
// first. bmNewRecipientId renames the recipient in every list of the
// client (with its unsubscribe and mail history); if the new ID exists
// already, bmOverwrite=true replaces that recipient, else duplicate.
// Transaction lists are refused (wrong_tag: 505). Tokens in order:
// wrong_tag: 505, missing_id, syntax_error, not_found, duplicate, ok.
#ifndef CAMPAIGND_OPS_UPDATE_FIELDS_H_
#define CAMPAIGND_OPS_UPDATE_FIELDS_H_

#include "ops/operation.h"

namespace campaignd::ops {

Result<Reply> UpdateFields(const Context& ctx);

}  // namespace campaignd::ops

#endif  // CAMPAIGND_OPS_UPDATE_FIELDS_H_
