// sendtransactionmail (form service, transaction lists only): creates a new
// recipient record from bmRecipientId and every field parameter - the
// mail's own field snapshot, one per call - and sends the event mailing to
// it; bmPersonalizedAttachmentsToken attaches the files of an upload
// (docs/decisions/0011-transaction-mail-and-attachments.md).
// Tokens, in order of precedence (behaviour.md §3): wrong_tag: 505 (not a
// transaction list), missing_id, syntax_error (address or a field value),
// not_found, wrong_mailing_type, wrong_mailing_status, wrong_tag: 505
// (mailing not on the list), blacklisted, unsubscribed, too_many_bounces,
// vetoed (unknown or expired token), enqueued. A store failure is a Status.
#ifndef CAMPAIGND_OPS_SEND_TRANSACTION_MAIL_H_
#define CAMPAIGND_OPS_SEND_TRANSACTION_MAIL_H_

#include "ops/operation.h"

namespace campaignd::ops {

Result<Reply> SendTransactionMail(const Context& ctx);

}  // namespace campaignd::ops

#endif  // CAMPAIGND_OPS_SEND_TRANSACTION_MAIL_H_
