// FieldValues: a recipient's field values, keyed by lower-cased field name
// (field functions are case-insensitive, behaviour.md §4.3). Values are
// UTF-8 text; a list's field schema (store.h FieldDef) gives their type.
#ifndef CAMPAIGND_CORE_FIELDS_H_
#define CAMPAIGND_CORE_FIELDS_H_

#include <map>
#include <string>
#include <string_view>

namespace campaignd {

using FieldValues = std::map<std::string, std::string>;

// ASCII lower-case copy, for field names.
std::string LowerAscii(std::string_view s);

}  // namespace campaignd

#endif  // CAMPAIGND_CORE_FIELDS_H_
