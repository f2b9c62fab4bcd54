// FieldInput: request parameters -> recipient field values, by the list's
// field schema (behaviour.md §2: every parameter not starting with "bm" is
// a field value; an unknown field name is ignored). Values are checked
// against their field type and stored in their text form by the one set of
// field-value rules, core/field_value.h (ParameterFieldValueText:
// docs/decisions/0016-field-values.md). updatefields' modifiers ([add]
// [sub] [prepend] [append]) are applied here
// (docs/decisions/0010-recipient-operations.md).
// Input: untrusted UTF-8 values. Threads: pure functions.
// Errors: InvalidArgument (the operation answers syntax_error).
#ifndef CAMPAIGND_OPS_FIELD_INPUT_H_
#define CAMPAIGND_OPS_FIELD_INPUT_H_

#include <string>
#include <vector>

#include "core/fields.h"
#include "core/params.h"
#include "core/status.h"
#include "store/model.h"

namespace campaignd::ops {

enum class Modifier { kSet, kAdd, kSub, kPrepend, kAppend };

struct FieldChange {
  std::string name;  // lower-case, a field of the list
  std::string value;
  Modifier modifier = Modifier::kSet;
};

// The field changes `params` make to a recipient of `list`, in parameter
// order. A name with a modifier suffix is refused unless `allow_modifiers`;
// an unknown modifier is refused; unknown fields are skipped. `sanitize`
// HTML-escapes every value first (bmSanitize).
Result<std::vector<FieldChange>> FieldChanges(const Params& params,
                                              const store::RecipientList& list,
                                              bool allow_modifiers, bool sanitize);

// Applies `changes` to `fields` (a modifier on an empty value starts from
// 0 or ""). InvalidArgument when a result does not fit its field's type or
// a modifier does not fit it ([add]/[sub] need int or decimal,
// [prepend]/[append] need text).
Status ApplyFieldChanges(const std::vector<FieldChange>& changes, const store::RecipientList& list,
                         FieldValues& fields);

}  // namespace campaignd::ops

#endif  // CAMPAIGND_OPS_FIELD_INPUT_H_
