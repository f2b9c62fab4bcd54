#include "ops/field_input.h"

#include <optional>

#include "core/field_value.h"
#include "render/field_functions.h"

namespace campaignd::ops {
namespace {

Result<std::string> Modified(const FieldChange& change, std::string_view type,
                             const std::string& current) {
  switch (change.modifier) {
    case Modifier::kSet:
      return ParameterFieldValueText(change.value, type);
    case Modifier::kPrepend:
    case Modifier::kAppend:
      if (type != "text") {
        return Status::InvalidArgument(change.name + ": [prepend]/[append] need a text field");
      }
      // The result is text again (the length limit applies to it).
      return FieldValueText(
          change.modifier == Modifier::kPrepend ? change.value + current : current + change.value,
          type);
    case Modifier::kAdd:
    case Modifier::kSub:
      break;
  }
  if (type != "int" && type != "decimal") {
    return Status::InvalidArgument(change.name + ": [add]/[sub] need a number field");
  }
  std::optional<FieldNumber> base = ParseFieldNumber(current.empty() ? "0" : current);
  std::optional<FieldNumber> operand = ParseFieldNumber(change.value);
  if (!base || !operand || (type == "int" && operand->scale > 0)) {
    return Status::InvalidArgument(change.name + ": not a number");
  }
  std::optional<FieldNumber> sum =
      AddFieldNumbers(*base, *operand, change.modifier == Modifier::kAdd ? 1 : -1);
  if (!sum) return Status::InvalidArgument(change.name + ": number out of range");
  return FormatFieldNumber(*sum);
}

}  // namespace

Result<std::vector<FieldChange>> FieldChanges(const Params& params,
                                              const store::RecipientList& list,
                                              bool allow_modifiers, bool sanitize) {
  static constexpr std::pair<std::string_view, Modifier> kModifiers[] = {
      {"[add]", Modifier::kAdd},
      {"[sub]", Modifier::kSub},
      {"[prepend]", Modifier::kPrepend},
      {"[append]", Modifier::kAppend}};
  std::vector<FieldChange> changes;
  for (const auto& [param, value] : params.FieldValues()) {
    FieldChange change{LowerAscii(param), sanitize ? render::EscapeHtml(value) : value, Modifier::kSet};
    if (auto open = change.name.find('['); open != std::string::npos) {
      std::string_view suffix = std::string_view(change.name).substr(open);
      bool known = false;
      for (const auto& [spelling, modifier] : kModifiers) {
        if (suffix == spelling) {
          known = true;
          change.modifier = modifier;
        }
      }
      if (!known || !allow_modifiers) {
        return Status::InvalidArgument("unknown field modifier in '" + param + "'");
      }
      change.name.resize(open);
    }
    bool in_list = false;
    for (const store::FieldDef& f : list.fields) in_list = in_list || f.name == change.name;
    if (in_list) changes.push_back(std::move(change));
  }
  return changes;
}

Status ApplyFieldChanges(const std::vector<FieldChange>& changes, const store::RecipientList& list,
                         FieldValues& fields) {
  for (const FieldChange& change : changes) {
    std::string_view type = "text";
    for (const store::FieldDef& f : list.fields) {
      if (f.name == change.name) type = f.type;
    }
    auto it = fields.find(change.name);
    Result<std::string> value =
        Modified(change, type, it == fields.end() ? std::string() : it->second);
    if (!value.ok()) return value.status();
    fields[change.name] = std::move(*value);
  }
  return Status::Ok();
}

}  // namespace campaignd::ops
