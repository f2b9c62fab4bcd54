#include "core/field_value.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>

#include "core/limits.h"
#include "core/params.h"

namespace campaignd {
namespace {

constexpr std::size_t kMaxNumberDigits = 18;  // exact in int64 after one [add]

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Two digits not above `max`.
bool TwoDigits(std::string_view s, int max) {
  return s.size() == 2 && AllDigits(s) && (s[0] - '0') * 10 + (s[1] - '0') <= max;
}

// "HH:MM[:SS]" then nothing, "Z"/"z" or "+HH:MM"/"-HH:MM"; the stored form
// (upper-case Z) or nullopt.
std::optional<std::string> TimeText(std::string_view s) {
  constexpr int kMaxHour = 23, kMaxMinute = 59, kMaxSecond = 60;  // 60: leap second
  if (s.size() < 5 || !TwoDigits(s.substr(0, 2), kMaxHour) || s[2] != ':' ||
      !TwoDigits(s.substr(3, 2), kMaxMinute)) {
    return std::nullopt;
  }
  std::string out(s.substr(0, 5));
  s.remove_prefix(5);
  if (s.size() >= 3 && s[0] == ':') {
    if (!TwoDigits(s.substr(1, 2), kMaxSecond)) return std::nullopt;
    out += s.substr(0, 3);
    s.remove_prefix(3);
  }
  if (s.empty()) return out;
  if (s == "Z" || s == "z") return out + "Z";
  if (s.size() == 6 && (s[0] == '+' || s[0] == '-') && TwoDigits(s.substr(1, 2), kMaxHour) &&
      s[3] == ':' && TwoDigits(s.substr(4, 2), kMaxMinute)) {
    return out + std::string(s);
  }
  return std::nullopt;  // fractional seconds, anything else
}

std::optional<std::string> TypedText(std::string_view value, std::string_view type) {
  if (type == "text") return std::string(value);
  if (type == "int" || type == "decimal") {
    std::optional<FieldNumber> n = ParseFieldNumber(value);
    if (!n || (type == "int" && n->scale > 0)) return std::nullopt;
    if (value.front() == '+') value.remove_prefix(1);
    return std::string(value);
  }
  if (type == "bool") {
    if (value == "true" || value == "false") return std::string(value);
    return std::nullopt;
  }
  if (type == "date") {
    if (IsCalendarDate(value)) return std::string(value);
    return std::nullopt;
  }
  // datetime
  if (value.size() < 16 || !IsCalendarDate(value.substr(0, 10))) return std::nullopt;
  if (value[10] != 'T' && value[10] != 't' && value[10] != ' ') return std::nullopt;
  std::optional<std::string> time = TimeText(value.substr(11));
  if (!time) return std::nullopt;
  return std::string(value.substr(0, 10)) + "T" + *time;
}

}  // namespace

bool IsFieldType(std::string_view type) {
  constexpr std::array<std::string_view, 6> kTypes = {"text", "int",  "decimal",
                                                      "bool", "date", "datetime"};
  return std::find(kTypes.begin(), kTypes.end(), type) != kTypes.end();
}

Result<std::string> FieldValueText(std::string_view value, std::string_view type) {
  if (value.empty()) return std::string();
  if (value.size() > limits::kMaxFieldValueBytes) {
    return Status::InvalidArgument("longer than " + std::to_string(limits::kMaxFieldValueBytes) +
                                   " bytes");
  }
  std::optional<std::string> text = TypedText(value, type);
  if (!text) return Status::InvalidArgument(FieldTypeExpectation(type));
  return std::move(*text);
}

Result<std::string> ParameterFieldValueText(std::string_view value, std::string_view type) {
  if (type == "bool" && !value.empty() && value.size() <= limits::kMaxFieldValueBytes) {
    return std::string(ParseBool(value) ? "true" : "false");
  }
  return FieldValueText(value, type);
}

std::string FieldTypeExpectation(std::string_view type) {
  if (type == "text") return "expected a string (field type text)";
  if (type == "int") return "expected an integer (field type int)";
  if (type == "decimal") return "expected a number like 19.90 (field type decimal)";
  if (type == "bool") return "expected true or false (field type bool)";
  if (type == "date") return "expected a date YYYY-MM-DD (field type date)";
  return "expected a date-time like 2024-05-01T12:30:00Z (field type datetime)";
}

bool IsCalendarDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !AllDigits(s.substr(0, 4)) ||
      !AllDigits(s.substr(5, 2)) || !AllDigits(s.substr(8, 2))) {
    return false;
  }
  auto number = [&](std::size_t at, std::size_t n) {
    int v = 0;
    std::from_chars(s.data() + at, s.data() + at + n, v);
    return v;
  };
  using namespace std::chrono;
  return year_month_day{year{number(0, 4)}, month{static_cast<unsigned>(number(5, 2))},
                        day{static_cast<unsigned>(number(8, 2))}}
      .ok();
}

std::optional<FieldNumber> ParseFieldNumber(std::string_view s) {
  bool negative = !s.empty() && s.front() == '-';
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) s.remove_prefix(1);
  std::string_view whole = s, fraction;
  if (auto dot = s.find('.'); dot != std::string_view::npos) {
    whole = s.substr(0, dot);
    fraction = s.substr(dot + 1);
    if (!AllDigits(fraction)) return std::nullopt;
  }
  if (!AllDigits(whole)) return std::nullopt;
  std::string digits = std::string(whole) + std::string(fraction);
  if (digits.size() > kMaxNumberDigits) return std::nullopt;
  FieldNumber n;
  std::from_chars(digits.data(), digits.data() + digits.size(), n.mantissa);
  n.scale = static_cast<int>(fraction.size());
  if (negative) n.mantissa = -n.mantissa;
  return n;
}

std::string FormatFieldNumber(FieldNumber n) {
  std::string digits = std::to_string(n.mantissa < 0 ? -n.mantissa : n.mantissa);
  if (n.scale > 0) {
    const auto scale = static_cast<std::size_t>(n.scale);
    if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
    digits.insert(digits.size() - scale, ".");
  }
  return n.mantissa < 0 ? "-" + digits : digits;
}

std::optional<FieldNumber> AddFieldNumbers(FieldNumber a, FieldNumber b, int sign) {
  auto rescale = [](FieldNumber& n, int scale) {
    for (; n.scale < scale; ++n.scale) {
      if (__builtin_mul_overflow(n.mantissa, 10, &n.mantissa)) return false;
    }
    return true;
  };
  const int scale = std::max(a.scale, b.scale);
  if (!rescale(a, scale) || !rescale(b, scale)) return std::nullopt;
  FieldNumber sum{0, scale};
  constexpr int64_t kLimit = 1'000'000'000'000'000'000;  // 10^18
  if (__builtin_add_overflow(a.mantissa, sign * b.mantissa, &sum.mantissa) ||
      sum.mantissa >= kLimit || sum.mantissa <= -kLimit) {
    return std::nullopt;
  }
  return sum;
}

}  // namespace campaignd
