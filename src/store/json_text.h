// JSON text for the columns that hold structured values: a recipient's or a
// mail's field values (an object of strings) and a code's or client's lists
// (an array of strings). Engine-neutral: SQLite stores the text as TEXT,
// PostgreSQL will store it as jsonb.
// Threads: pure functions.
// Errors: InvalidArgument when a value to encode is not valid UTF-8;
// Corruption when stored text does not decode (names `what`).
#ifndef CAMPAIGND_STORE_JSON_TEXT_H_
#define CAMPAIGND_STORE_JSON_TEXT_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/fields.h"
#include "core/status.h"

namespace campaignd::store {

// {"name":"value",...}, keys in FieldValues order.
Result<std::string> FieldsToJson(const FieldValues& fields);
// REQUIRES: `what` names the row, e.g. "mail 17 fields".
Result<FieldValues> FieldsFromJson(std::string_view text, std::string_view what);

// ["a","b",...].
Result<std::string> StringsToJson(const std::vector<std::string>& strings);
Result<std::vector<std::string>> StringsFromJson(std::string_view text, std::string_view what);

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_JSON_TEXT_H_
