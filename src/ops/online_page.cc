#include "ops/online_page.h"

#include <map>

#include "render/field_functions.h"
#include "render/system_fields.h"
#include "store/attachments.h"

namespace campaignd::ops {

std::string RenderOnlinePage(const PageInput& input) {
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

  if (!input.mailing.html.empty()) {
    return render::ApplyFieldFunctions(input.mailing.html, context, render::EscapeMode::kHtml);
  }
  const std::string subject =
      render::ApplyFieldFunctions(input.mailing.subject, context, render::EscapeMode::kHeader);
  const std::string text =
      render::ApplyFieldFunctions(input.mailing.text, context, render::EscapeMode::kText);
  return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" +
         render::EscapeHtml(subject) + "</title></head>\n<body><pre>" + render::EscapeHtml(text) +
         "</pre></body></html>\n";
}

}  // namespace campaignd::ops
