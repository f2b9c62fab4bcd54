// Fuzz target: field-function rendering (src/render/field_functions.h):
// ApplyFieldFunctions in every escape mode, SanitizeHeaderText, EscapeHtml.
// Input: "TEMPLATE\x1fVALUE1\x1fVALUE2\x1fVALUE3\x1fVALUE4" (0x1F, the ASCII
// unit separator, splits the pieces); the values belong to the fields
// firstname (text), birthday (date), lastorder (datetime) and evil (text).
// Invariants: header mode output has no CR, LF, NUL, other C0 control or DEL
// unless the template itself had one; SanitizeHeaderText never leaves a
// line break; kHtml output of a value-only template has no raw '<'.
#include <map>
#include <string>

#include "core/fields.h"
#include "fuzz/fuzz_input.h"
#include "render/field_functions.h"

using namespace campaignd;

namespace {

bool HasControl(std::string_view s) {
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  auto in = fuzz::SplitInput(data, size, '\x1f', 5);
  FieldValues values{{"firstname", std::string(in[1])},
                     {"birthday", std::string(in[2])},
                     {"lastorder", std::string(in[3])},
                     {"evil", std::string(in[4])}};
  std::map<std::string, std::string> types{
      {"firstname", "text"}, {"birthday", "date"}, {"lastorder", "datetime"}, {"evil", "text"}};
  render::FieldContext context{values, types};

  std::string_view tmpl = in[0];
  (void)render::ApplyFieldFunctions(tmpl, context, render::EscapeMode::kText);
  (void)render::ApplyFieldFunctions(tmpl, context, render::EscapeMode::kHtml);
  std::string header =
      render::ApplyFieldFunctions(tmpl, context, render::EscapeMode::kHeader).value();
  if (!HasControl(tmpl)) FUZZ_CHECK(!HasControl(header));

  // The values alone, as a template that only inserts them.
  std::string only_values =
      render::ApplyFieldFunctions("{firstname}{evil}", context, render::EscapeMode::kHeader)
          .value();
  FUZZ_CHECK(!HasControl(only_values));
  std::string html_values =
      render::ApplyFieldFunctions("{firstname}{evil}", context, render::EscapeMode::kHtml).value();
  FUZZ_CHECK(html_values.find_first_of("<>\"'") == std::string::npos);

  std::string sanitized = render::SanitizeHeaderText(in[4]);
  FUZZ_CHECK(!HasControl(sanitized));
  FUZZ_CHECK(sanitized.find("\xe2\x80\xa8") == std::string::npos);
  FUZZ_CHECK(sanitized.find("\xe2\x80\xa9") == std::string::npos);
  FUZZ_CHECK(render::EscapeHtml(in[4]).find_first_of("<>\"'") == std::string::npos);
  return 0;
}
