#include "ops/online_page.h"

#include <map>

#include "render/field_functions.h"
#include "render/system_fields.h"
#include "store/attachments.h"

namespace campaignd::ops {

Result<std::string> RenderOnlinePage(const PageInput& input) {
  FieldValues values = input.fields;
  values.erase(std::string(store::kAttachmentsField));
  // As before, the page sets no {bmOptInUrl}: the opt-in link is in the sent mail only.
  render::SetSystemFields({.mail_id = input.mail_id,
                           .recipient_id = input.recipient_id,
                           .mailing_id = input.mailing.id,
                           .public_url = input.public_url,
                           .confirmation = false,
                           .confirmation_url = ""},
                          values);
  std::map<std::string, std::string> types;
  for (const store::FieldDef& f : input.list.fields) types[LowerAscii(f.name)] = f.type;
  const render::FieldContext context{values, types};

  const store::Mailing& m = input.mailing;
  Result<render::RenderedTexts> texts =
      render::RenderTexts({m.from, m.reply_to, m.subject, m.text, m.html}, context);
  if (!texts.ok()) return texts.status();
  if (!m.html.empty()) return std::move(texts->html);
  return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" +
         render::EscapeHtml(texts->subject) + "</title></head>\n<body><pre>" +
         render::EscapeHtml(texts->text) + "</pre></body></html>\n";
}

}  // namespace campaignd::ops
