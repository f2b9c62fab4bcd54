// The system fields of one mail: the values behind {bmMailId},
// {bmRecipientId}, {bmMailingId}, {bmUnsubscribeUrl}, {bmOnlineVersionUrl}
// and, in a confirmation mailing, {bmOptInUrl} (behaviour.md §4.3). Built
// here once, so that the sent message (queue/processor.cc) and its online
// version (ops/online_page.cc) show the same values.
// Input: a well-formed mail ID and recipient ID; the confirmation URL is
// provisioned and is percent-encoded here. Threads: pure. Errors: none.
#ifndef CAMPAIGND_RENDER_SYSTEM_FIELDS_H_
#define CAMPAIGND_RENDER_SYSTEM_FIELDS_H_

#include <cstdint>
#include <string>

#include "core/fields.h"

namespace campaignd::render {

struct SystemFieldsInput {
  std::string mail_id;  // empty for a page shown without a mail: its links are empty
  std::string recipient_id;
  std::int64_t mailing_id = 0;
  std::string public_url;  // base of the mail-service links, without a trailing '/'
  // A confirmation mailing also gets {bmOptInUrl}: the mail's subscribe link,
  // plus ?bmUrl=<confirmation_url> when the opt-in process has one
  // (docs/decisions/0010-recipient-operations.md).
  bool confirmation = false;
  std::string confirmation_url;
};

// The mail's unsubscribe link, PUBLIC_URL/http/mail/MAILID/unsubscribe
// ({bmUnsubscribeUrl}, also the List-Unsubscribe URL); "" without a mail ID.
std::string UnsubscribeUrl(const SystemFieldsInput& input);

// Sets the system fields (lower-case names) in `fields`, replacing recipient
// values of the same name.
void SetSystemFields(const SystemFieldsInput& input, FieldValues& fields);

}  // namespace campaignd::render

#endif  // CAMPAIGND_RENDER_SYSTEM_FIELDS_H_
