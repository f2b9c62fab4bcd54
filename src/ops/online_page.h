// OnlinePage: a mailing rendered for one recipient as the HTML page
// onlineversion answers (behaviour.md §3): the mailing's HTML part with its
// field functions applied (values HTML-escaped, render/field_functions.h),
// or, for a text-only mailing, its text part escaped inside <pre>. The
// system fields are those of the mail, set by render/system_fields.h as for
// the sent message. ops -> render is an allowed arrow
// (design.md B1.3): rendering is bytes in, bytes out, no I/O.
// Input: templates trusted (provisioned), field values untrusted.
// Threads: pure function.
#ifndef CAMPAIGND_OPS_ONLINE_PAGE_H_
#define CAMPAIGND_OPS_ONLINE_PAGE_H_

#include <string>

#include "core/fields.h"
#include "core/status.h"
#include "store/model.h"

namespace campaignd::ops {

struct PageInput {
  const store::Mailing& mailing;
  const store::RecipientList& list;  // field types for dates
  FieldValues fields;                // the recipient's values, lower-case names
  std::string recipient_id;
  std::string mail_id;     // the mail shown, when there is one; else empty
  std::string public_url;  // base of mail-service links (no trailing '/')
};

// The whole HTML document. InvalidArgument when the mailing renders larger
// than the mail itself may be (render/field_functions.h RenderTexts, the
// same limit as the sent mail).
Result<std::string> RenderOnlinePage(const PageInput& input);

}  // namespace campaignd::ops

#endif  // CAMPAIGND_OPS_ONLINE_PAGE_H_
