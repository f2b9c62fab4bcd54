// Field functions: replaces {name}, {name|fallback}, {name:FORMAT} and
// {name:FORMAT|fallback} in a mailing template with one recipient's values
// (behaviour.md §4.3; the rule set is docs/decisions/0005-field-functions.md).
// Called by RenderMessage (message.cc) for subject, From, Reply-To, text and
// HTML. Input: the template is trusted (provisioned by the operator), the
// values are untrusted and escaped per EscapeMode.
// Threads: pure functions. Errors: none; a malformed {...} stays literal.
#ifndef CAMPAIGND_RENDER_FIELD_FUNCTIONS_H_
#define CAMPAIGND_RENDER_FIELD_FUNCTIONS_H_

#include <map>
#include <string>
#include <string_view>

#include "core/fields.h"

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
// written; only values are escaped per `mode`.
std::string ApplyFieldFunctions(std::string_view tmpl, const FieldContext& context,
                                EscapeMode mode);

// `value` made safe for a header: CR, LF, NUL and every other C0 control,
// DEL, C1 controls (U+0080..U+009F) and U+2028/U+2029 removed; TAB becomes a
// space. Used for field values in kHeader mode and for whole header texts.
std::string SanitizeHeaderText(std::string_view value);

// `value` with & < > " ' replaced by &amp; &lt; &gt; &quot; &#39;.
std::string EscapeHtml(std::string_view value);

}  // namespace campaignd::render

#endif  // CAMPAIGND_RENDER_FIELD_FUNCTIONS_H_
