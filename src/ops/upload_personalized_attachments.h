// uploadpersonalizedattachments (form service): keeps the multipart parts
// named bmFile (at most limits::kMaxUploadFiles files of together at most
// limits::kMaxUploadBytes) for limits::kAttachmentLifetime and answers
// `ok: <token>`, the token sendtransactionmail takes as
// bmPersonalizedAttachmentsToken. The token is 32 random characters
// (~190 bits, auth::GenerateCode); only its SHA-256 is stored
// (docs/decisions/0011-transaction-mail-and-attachments.md).
// Tokens, in order of precedence: vetoed: Personalized attachments are not
// enabled. (client flag `attachments`); syntax_error: Invalid
// file-parameter name '<n>' - must be 'bmFile'.; syntax_error: No files
// uploaded.; syntax_error: <limit> for too many or too large files; ok.
#ifndef CAMPAIGND_OPS_UPLOAD_PERSONALIZED_ATTACHMENTS_H_
#define CAMPAIGND_OPS_UPLOAD_PERSONALIZED_ATTACHMENTS_H_

#include "ops/operation.h"

namespace campaignd::ops {

Result<Reply> UploadPersonalizedAttachments(const Context& ctx);

}  // namespace campaignd::ops

#endif  // CAMPAIGND_OPS_UPLOAD_PERSONALIZED_ATTACHMENTS_H_
