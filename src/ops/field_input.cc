#include "ops/field_input.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>

#include "render/field_functions.h"

namespace campaignd::ops {
namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// A decimal number as mantissa * 10^-scale.
struct Decimal {
  int64_t mantissa = 0;
  int scale = 0;
};

// "[-]digits[.digits]" (an int is a decimal of scale 0); nullopt otherwise
// or when it does not fit 18 significant digits.
std::optional<Decimal> ParseDecimal(std::string_view s) {
  bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  std::string_view whole = s, fraction;
  if (auto dot = s.find('.'); dot != std::string_view::npos) {
    whole = s.substr(0, dot);
    fraction = s.substr(dot + 1);
    if (!AllDigits(fraction)) return std::nullopt;
  }
  if (!AllDigits(whole)) return std::nullopt;
  std::string digits = std::string(whole) + std::string(fraction);
  if (digits.size() > 18) return std::nullopt;
  Decimal d;
  std::from_chars(digits.data(), digits.data() + digits.size(), d.mantissa);
  d.scale = static_cast<int>(fraction.size());
  if (negative) d.mantissa = -d.mantissa;
  return d;
}

std::string FormatDecimal(Decimal d) {
  std::string digits = std::to_string(d.mantissa < 0 ? -d.mantissa : d.mantissa);
  if (d.scale > 0) {
    if (digits.size() <= static_cast<std::size_t>(d.scale)) {
      digits.insert(0, static_cast<std::size_t>(d.scale) + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - static_cast<std::size_t>(d.scale), ".");
  }
  return d.mantissa < 0 ? "-" + digits : digits;
}

// a + sign * b at the larger scale; nullopt past 18 digits (what
// ParseDecimal reads back).
std::optional<Decimal> AddDecimal(Decimal a, Decimal b, int sign) {
  auto rescale = [](Decimal& d, int scale) {
    for (; d.scale < scale; ++d.scale) {
      if (__builtin_mul_overflow(d.mantissa, 10, &d.mantissa)) return false;
    }
    return true;
  };
  int scale = std::max(a.scale, b.scale);
  if (!rescale(a, scale) || !rescale(b, scale)) return std::nullopt;
  Decimal sum{0, scale};
  constexpr int64_t kLimit = 1'000'000'000'000'000'000;  // 10^18
  if (__builtin_add_overflow(a.mantissa, sign * b.mantissa, &sum.mantissa) ||
      sum.mantissa >= kLimit || sum.mantissa <= -kLimit) {
    return std::nullopt;
  }
  return sum;
}

bool IsDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!AllDigits(s.substr(0, 4)) || !AllDigits(s.substr(5, 2)) || !AllDigits(s.substr(8, 2))) {
    return false;
  }
  int month = (s[5] - '0') * 10 + (s[6] - '0');
  int day = (s[8] - '0') * 10 + (s[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// "HH:MM[:SS]" plus an optional "Z" or "+HH:MM"/"-HH:MM".
bool IsTime(std::string_view s) {
  auto two = [](std::string_view p, int max) {
    return AllDigits(p) && p.size() == 2 && (p[0] - '0') * 10 + (p[1] - '0') <= max;
  };
  if (s.size() < 5 || !two(s.substr(0, 2), 23) || s[2] != ':' || !two(s.substr(3, 2), 59)) {
    return false;
  }
  s.remove_prefix(5);
  if (s.size() >= 3 && s[0] == ':') {
    if (!two(s.substr(1, 2), 60)) return false;
    s.remove_prefix(3);
  }
  if (s.empty() || s == "Z") return true;
  return s.size() == 6 && (s[0] == '+' || s[0] == '-') && two(s.substr(1, 2), 23) && s[3] == ':' &&
         two(s.substr(4, 2), 59);
}

Result<std::string> Modified(const FieldChange& change, std::string_view type,
                             const std::string& current) {
  switch (change.modifier) {
    case Modifier::kSet:
      return FieldText(change.value, type);
    case Modifier::kPrepend:
    case Modifier::kAppend:
      if (type != "text") {
        return Status::InvalidArgument(change.name + ": [prepend]/[append] need a text field");
      }
      return change.modifier == Modifier::kPrepend ? change.value + current
                                                   : current + change.value;
    case Modifier::kAdd:
    case Modifier::kSub:
      break;
  }
  if (type != "int" && type != "decimal") {
    return Status::InvalidArgument(change.name + ": [add]/[sub] need a number field");
  }
  std::optional<Decimal> base = ParseDecimal(current.empty() ? "0" : current);
  std::optional<Decimal> operand = ParseDecimal(change.value);
  if (!base || !operand || (type == "int" && operand->scale > 0)) {
    return Status::InvalidArgument(change.name + ": not a number");
  }
  std::optional<Decimal> sum =
      AddDecimal(*base, *operand, change.modifier == Modifier::kAdd ? 1 : -1);
  if (!sum) return Status::InvalidArgument(change.name + ": number out of range");
  return FormatDecimal(*sum);
}

}  // namespace

Result<std::string> FieldText(std::string_view value, std::string_view type) {
  if (value.empty() || type == "text") return std::string(value);
  bool ok = false;
  if (type == "int") {
    std::optional<Decimal> d = ParseDecimal(value);
    ok = d && d->scale == 0 && value.find('.') == std::string_view::npos;
  } else if (type == "decimal") {
    ok = ParseDecimal(value).has_value();
  } else if (type == "bool") {
    return std::string(ParseBool(value) ? "true" : "false");
  } else if (type == "date") {
    ok = IsDate(value);
  } else if (type == "datetime") {
    if (value.size() > 11 && IsDate(value.substr(0, 10)) &&
        (value[10] == 'T' || value[10] == ' ') && IsTime(value.substr(11))) {
      std::string text(value);
      text[10] = 'T';
      return text;
    }
  }
  if (!ok) return Status::InvalidArgument("not a valid " + std::string(type) + " value");
  return std::string(value);
}

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
