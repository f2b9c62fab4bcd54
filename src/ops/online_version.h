// onlineversion (form and mail service): the mailing personalized for the
// recipient as an HTML page (Reply::Page; http/ answers 200 text/html).
// The mailing: bmMailingId, else the newest (highest ID) of the list's
// mailings whose internal name matches bmPattern ('*', '?'), else in the
// mail service the mail's own mailing and in the form service the mailing
// of the newest mail sent to the recipient. The recipient's values: its
// record in the list, or on a transaction list the field snapshot of its
// newest mail (docs/decisions/0011-transaction-mail-and-attachments.md).
// Tokens: missing_id (form: no bmRecipientId), syntax_error (not an
// address, or not the mail's recipient), not_found (no such recipient,
// mailing or match), wrong_tag: 505 (bmMailingId names a mailing of
// another list), the page.
#ifndef CAMPAIGND_OPS_ONLINE_VERSION_H_
#define CAMPAIGND_OPS_ONLINE_VERSION_H_

#include "ops/operation.h"

namespace campaignd::ops {

Result<Reply> OnlineVersion(const Context& ctx);

}  // namespace campaignd::ops

#endif  // CAMPAIGND_OPS_ONLINE_VERSION_H_
