// sendeventmail (form and mail service): validates the request, stores the
// mail durably and answers `enqueued: <mailId>`; the recipient's state is
// judged when the mail is processed (queue/) and shows in getsendstatus.
// Tokens, in order of precedence (behaviour.md §3): missing_id,
// syntax_error, not_found, wrong_mailing_type, wrong_mailing_status,
// wrong_tag: 505, enqueued. A store failure is a failed Status.
#ifndef CAMPAIGND_OPS_SEND_EVENT_MAIL_H_
#define CAMPAIGND_OPS_SEND_EVENT_MAIL_H_

#include "ops/operation.h"

namespace campaignd::ops {

Result<Reply> SendEventMail(const Context& ctx);

}  // namespace campaignd::ops

#endif  // CAMPAIGND_OPS_SEND_EVENT_MAIL_H_
