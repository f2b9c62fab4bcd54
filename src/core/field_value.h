// Field values: the one set of rules for what a value of each recipient field
// type may be, and its stored text form (docs/decisions/0016-field-values.md).
// Used by the public API operations (ops/field_input), the provisioning file
// and the admin API (admin/provisioning_data, admin/api/json_model), and for
// date literals in target groups.
//   text      any text
//   int       [+|-]digits, at most 18 digits; stored without a "+"
//   decimal   [+|-]digits[.digits], at most 18 digits; stored without a "+"
//   bool      "true" or "false" (a request parameter first reads as a
//             behaviour.md §2 boolean: ParameterFieldValueText)
//   date      YYYY-MM-DD naming a real calendar day
//   datetime  a date, "T" (or "t" or a space), HH:MM[:SS], then nothing, "Z"
//             or +HH:MM/-HH:MM; no fractional seconds; stored with "T", "Z"
// An empty value means "no value" for every type; a value longer than
// limits::kMaxFieldValueBytes is refused for every type.
// Input: untrusted UTF-8. Threads: pure functions.
// Errors: InvalidArgument with a message for the operator ("expected an
// integer (field type int)"); the public API answers syntax_error.
#ifndef CAMPAIGND_CORE_FIELD_VALUE_H_
#define CAMPAIGND_CORE_FIELD_VALUE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace campaignd {

// True for the six field types above (lower case).
bool IsFieldType(std::string_view type);

// The stored text of `value` for a field of `type`, or InvalidArgument with
// FieldTypeExpectation(type) (or "longer than N bytes").
// REQUIRES: IsFieldType(type).
Result<std::string> FieldValueText(std::string_view value, std::string_view type);

// FieldValueText for a value sent as a public API request parameter: a bool
// field reads it as every boolean parameter is read (behaviour.md §2, core
// ParseBool: true/1/yes/on in any case are true, anything else false), so a
// bool is never refused there. Every other type: FieldValueText.
Result<std::string> ParameterFieldValueText(std::string_view value, std::string_view type);

// What a value of `type` must look like, e.g. "expected a date YYYY-MM-DD
// (field type date)": the message of FieldValueText's refusal, also for a
// value of the wrong kind in a typed input (a TOML integer for a text field).
std::string FieldTypeExpectation(std::string_view type);

// True if `s` is YYYY-MM-DD naming a real calendar day (2024-02-29 yes,
// 2023-02-29 and 2024-02-31 no).
bool IsCalendarDate(std::string_view s);

// The exact value of an int or decimal field: mantissa * 10^-scale.
struct FieldNumber {
  int64_t mantissa = 0;
  int scale = 0;
};

// "[+|-]digits[.digits]" with at most 18 digits (an int has scale 0), or
// nullopt.
std::optional<FieldNumber> ParseFieldNumber(std::string_view text);

// The text ParseFieldNumber reads back ("-0.50" keeps its scale).
std::string FormatFieldNumber(FieldNumber n);

// a + sign * b (sign 1 or -1) at the larger scale; nullopt past 18 digits.
std::optional<FieldNumber> AddFieldNumbers(FieldNumber a, FieldNumber b, int sign);

}  // namespace campaignd

#endif  // CAMPAIGND_CORE_FIELD_VALUE_H_
