// Field functions: replaces {name}, {name|fallback}, {name:FORMAT} and
// {name:FORMAT|fallback} in a mailing template with one recipient's values
// (behaviour.md §4.3; the rule set is docs/decisions/0005-field-functions.md).
// Called by RenderMessage (message.cc) for subject, From, Reply-To, text and
// HTML. Input: the template is trusted (provisioned by the operator), the
// values are untrusted and escaped per EscapeMode.
// Threads: pure functions. Errors: a malformed {...} stays literal (no
// error); a result over the size limit is InvalidArgument.
#ifndef CAMPAIGND_RENDER_FIELD_FUNCTIONS_H_
#define CAMPAIGND_RENDER_FIELD_FUNCTIONS_H_

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "core/fields.h"
#include "core/limits.h"
#include "core/status.h"

namespace campaignd::render {

// How an inserted value is made safe for where it lands.
enum class EscapeMode {
  kText,    // text part: the value as it is
  kHtml,    // HTML part: & < > " ' become entities
  kHeader,  // header text: control characters removed (SanitizeHeaderText)
};

// The recipient's values and the list's field types, both keyed by
// lower-case field name (types: text|int|decimal|bool|date|datetime).
struct FieldContext {
  const FieldValues& values;
  const std::map<std::string, std::string>& types;
};

// `tmpl` with every field function replaced and {{ / }} turned into single
// braces. Template text (including fallbacks and formats) is copied as
// written; only values are escaped per `mode`. A template that inserts a
// large value many times could grow without bound (a 100 KB template, a
// 64 KiB value), so rendering stops as soon as the result would be larger
// than `max_bytes`: InvalidArgument "rendered text larger than N bytes".
Result<std::string> ApplyFieldFunctions(std::string_view tmpl, const FieldContext& context,
                                        EscapeMode mode,
                                        std::size_t max_bytes = limits::kMaxRenderedMessageBytes);

// A mailing's templates and what they render to for one recipient: from,
// reply_to and subject in header mode, text as it is, html HTML-escaped.
struct Templates {
  std::string_view from, reply_to, subject, text, html;
};
struct RenderedTexts {
  std::string from, reply_to, subject, text, html;
};

// All five templates of a mailing through ApplyFieldFunctions, sharing one
// budget of `max_bytes`; InvalidArgument naming the part that went over
// ("html: rendered text larger than N bytes"). The one way the sent mail
// (RenderMessage), the admin preview and onlineversion render a mailing, so
// all three stop at the same size.
Result<RenderedTexts> RenderTexts(const Templates& templates, const FieldContext& context,
                                  std::size_t max_bytes = limits::kMaxRenderedMessageBytes);

// `value` made safe for a header: CR, LF, NUL and every other C0 control,
// DEL, C1 controls (U+0080..U+009F) and U+2028/U+2029 removed; TAB becomes a
// space. Used for field values in kHeader mode and for whole header texts.
std::string SanitizeHeaderText(std::string_view value);

// `value` with & < > " ' replaced by &amp; &lt; &gt; &quot; &#39;.
std::string EscapeHtml(std::string_view value);

}  // namespace campaignd::render

#endif  // CAMPAIGND_RENDER_FIELD_FUNCTIONS_H_
