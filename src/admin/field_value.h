// Recipient field values in the provisioning file: checks a TOML value
// against the list's field type and turns it into the stored text form.
//   text      a string
//   int       an integer, or a string of one ("-12")
//   decimal   a number, or a string like "19.90" (stored as written)
//   bool      true/false (stored "true"/"false")
//   date      a TOML date or "YYYY-MM-DD"
//   datetime  a TOML date-time or "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM]" (a space
//             may replace the T; stored with the T)
// An empty string is accepted for every type (no value).
// Callers: admin/provisioning_data.cc. Threads: pure functions.
#ifndef CAMPAIGND_ADMIN_FIELD_VALUE_H_
#define CAMPAIGND_ADMIN_FIELD_VALUE_H_

#include <toml++/toml.h>

#include <string>
#include <string_view>

#include "core/status.h"

namespace campaignd::admin {

// True for the six field types above.
bool IsFieldType(std::string_view type);

// The stored text of `value` for a field of `type`; InvalidArgument naming
// what was expected ("expected an int") otherwise. REQUIRES: IsFieldType(type).
Result<std::string> FieldValueText(const toml::node& value, std::string_view type);

}  // namespace campaignd::admin

#endif  // CAMPAIGND_ADMIN_FIELD_VALUE_H_
