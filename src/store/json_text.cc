#include "store/json_text.h"

#include <nlohmann/json.hpp>

namespace campaignd::store {
namespace {

// Encodes `value`; nlohmann reports invalid UTF-8 by throwing type_error.
Result<std::string> Dump(const nlohmann::json& value) {
  try {
    return value.dump();
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("value is not valid UTF-8: ") + e.what());
  }
}

// `text` as T (FieldValues: an object, else an array) whose every value is a string.
template <typename T>
Result<T> ParseStrings(std::string_view text, std::string_view what) {
  const bool object = std::is_same_v<T, FieldValues>;
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return Status::Corruption(std::string(what) + ": stored text is not valid JSON");
  }
  if (object ? !value.is_object() : !value.is_array()) {
    return Status::Corruption(std::string(what) + ": stored JSON is not an " +
                              (object ? "object" : "array"));
  }
  for (const auto& [name, v] : value.items()) {
    if (!v.is_string()) {
      return Status::Corruption(std::string(what) + ": value '" + name + "' is not a string");
    }
  }
  return value.get<T>();
}

}  // namespace

Result<std::string> FieldsToJson(const FieldValues& fields) { return Dump(fields); }

Result<FieldValues> FieldsFromJson(std::string_view text, std::string_view what) {
  return ParseStrings<FieldValues>(text, what);
}

Result<std::string> StringsToJson(const std::vector<std::string>& strings) { return Dump(strings); }

Result<std::vector<std::string>> StringsFromJson(std::string_view text, std::string_view what) {
  return ParseStrings<std::vector<std::string>>(text, what);
}

}  // namespace campaignd::store
