#include "ops/online_page.h"

#include <map>

#include "render/field_functions.h"
#include "store/attachments.h"

namespace campaignd::ops {

std::string RenderOnlinePage(const PageInput& input) {
  FieldValues values = input.fields;
  values.erase(std::string(store::kAttachmentsField));
  const std::string links =
      input.mail_id.empty() ? std::string() : input.public_url + "/http/mail/" + input.mail_id;
  values["bmmailid"] = input.mail_id;
  values["bmrecipientid"] = input.recipient_id;
  values["bmmailingid"] = std::to_string(input.mailing.id);
  values["bmunsubscribeurl"] = links.empty() ? links : links + "/unsubscribe";
  values["bmonlineversionurl"] = links.empty() ? links : links + "/onlineversion";
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
