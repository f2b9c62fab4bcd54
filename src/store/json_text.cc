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

Result<nlohmann::json> ParseJson(std::string_view text, std::string_view what) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return Status::Corruption(std::string(what) + ": stored text is not valid JSON");
  }
  return value;
}

}  // namespace

Result<std::string> FieldsToJson(const FieldValues& fields) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [name, value] : fields) object[name] = value;
  return Dump(object);
}

Result<FieldValues> FieldsFromJson(std::string_view text, std::string_view what) {
  Result<nlohmann::json> value = ParseJson(text, what);
  if (!value.ok()) return value.status();
  if (!value->is_object()) {
    return Status::Corruption(std::string(what) + ": stored JSON is not an object");
  }
  FieldValues fields;
  for (const auto& [name, v] : value->items()) {
    if (!v.is_string()) {
      return Status::Corruption(std::string(what) + ": field '" + name + "' is not a string");
    }
    fields.emplace(name, v.get<std::string>());
  }
  return fields;
}

Result<std::string> StringsToJson(const std::vector<std::string>& strings) {
  return Dump(nlohmann::json(strings));
}

Result<std::vector<std::string>> StringsFromJson(std::string_view text, std::string_view what) {
  Result<nlohmann::json> value = ParseJson(text, what);
  if (!value.ok()) return value.status();
  if (!value->is_array()) {
    return Status::Corruption(std::string(what) + ": stored JSON is not an array");
  }
  std::vector<std::string> strings;
  for (const auto& v : *value) {
    if (!v.is_string()) {
      return Status::Corruption(std::string(what) + ": array element is not a string");
    }
    strings.push_back(v.get<std::string>());
  }
  return strings;
}

}  // namespace campaignd::store
