#include "render/system_fields.h"

#include "render/body_encoding.h"

namespace campaignd::render {
namespace {

// The mail-service base of the mail's links, or "" without a mail ID.
std::string MailLinks(const SystemFieldsInput& input) {
  return input.mail_id.empty() ? std::string()
                               : input.public_url + "/http/mail/" + input.mail_id;
}

// RFC 3986 unreserved characters beside letters and digits: a query value
// keeps nothing else.
constexpr std::string_view kQueryValueChars = "-._~";

}  // namespace

std::string UnsubscribeUrl(const SystemFieldsInput& input) {
  const std::string links = MailLinks(input);
  return links.empty() ? links : links + "/unsubscribe";
}

void SetSystemFields(const SystemFieldsInput& input, FieldValues& fields) {
  const std::string links = MailLinks(input);
  fields["bmmailid"] = input.mail_id;
  fields["bmrecipientid"] = input.recipient_id;
  fields["bmmailingid"] = std::to_string(input.mailing_id);
  fields["bmunsubscribeurl"] = UnsubscribeUrl(input);
  fields["bmonlineversionurl"] = links.empty() ? links : links + "/onlineversion";
  if (!input.confirmation) return;
  std::string optin = links.empty() ? links : links + "/subscribe";
  if (!optin.empty() && !input.confirmation_url.empty()) {
    optin += "?bmUrl=" + PercentEncode(input.confirmation_url, kQueryValueChars);
  }
  fields["bmoptinurl"] = optin;
}

}  // namespace campaignd::render
