// getsendstatus (form service): bmMailId -> the mail's current status token.
// missing_id without bmMailId; syntax_error for a malformed or forged mail
// ID (wrong MAC for this client); wrong_tag: 505 for a mail of another list;
// "enqueued" for a valid mail past the retention window or no longer stored
// (as documented: enqueued is the default).
#ifndef CAMPAIGND_OPS_GET_SEND_STATUS_H_
#define CAMPAIGND_OPS_GET_SEND_STATUS_H_

#include "ops/operation.h"

namespace campaignd::ops {

Result<Reply> GetSendStatus(const Context& ctx);

}  // namespace campaignd::ops

#endif  // CAMPAIGND_OPS_GET_SEND_STATUS_H_
