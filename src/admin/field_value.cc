#include "admin/field_value.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <regex>
#include <sstream>

#include "core/limits.h"

namespace campaignd::admin {
namespace {

bool IsCalendarDate(int year, int month, int day) {
  return std::chrono::year_month_day(std::chrono::year(year),
                                     std::chrono::month(static_cast<unsigned>(month)),
                                     std::chrono::day(static_cast<unsigned>(day)))
      .ok();
}

int Number(const std::string& digits) { return std::stoi(digits); }

bool IsDateText(const std::string& text) {
  static const std::regex kDate(R"((\d{4})-(\d{2})-(\d{2}))");
  std::smatch m;
  return std::regex_match(text, m, kDate) &&
         IsCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

// Returns the canonical form (T separator, Z upper-case) or "" if invalid.
std::string DateTimeText(const std::string& text) {
  static const std::regex kDateTime(
      R"((\d{4}-\d{2}-\d{2})[Tt ](\d{2}):(\d{2})(:(\d{2})(\.\d+)?)?([Zz]|[+-](\d{2}):(\d{2}))?)");
  std::smatch m;
  if (!std::regex_match(text, m, kDateTime) || !IsDateText(m[1])) return "";
  constexpr int kMaxHour = 23, kMaxMinute = 59, kMaxSecond = 60;  // 60: leap second
  if (Number(m[2]) > kMaxHour || Number(m[3]) > kMaxMinute) return "";
  if (m[5].matched && Number(m[5]) > kMaxSecond) return "";
  if (m[8].matched && (Number(m[8]) > kMaxHour || Number(m[9]) > kMaxMinute)) return "";
  std::string out = text;
  out[10] = 'T';
  if (out.back() == 'z') out.back() = 'Z';
  return out;
}

std::string IntegerText(const toml::node& value) {
  if (value.is_integer()) return std::to_string(value.as_integer()->get());
  if (!value.is_string()) return "";
  const std::string& text = value.as_string()->get();
  std::string_view digits = text;
  if (digits.starts_with('+') || digits.starts_with('-')) digits.remove_prefix(1);
  int64_t parsed = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), parsed);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) return "";
  return text.starts_with('+') ? text.substr(1) : text;
}

std::string DecimalText(const toml::node& value) {
  if (value.is_integer()) return std::to_string(value.as_integer()->get());
  if (value.is_floating_point()) {
    const double d = value.as_floating_point()->get();
    if (!std::isfinite(d)) return "";
    std::array<char, 64> buffer{};
    const auto [end, ec] =
        std::to_chars(buffer.data(), buffer.data() + buffer.size(), d, std::chars_format::fixed);
    if (ec != std::errc()) return "";
    return std::string(buffer.data(), end);
  }
  if (!value.is_string()) return "";
  static const std::regex kDecimal(R"([+-]?\d+(\.\d+)?)");
  const std::string& text = value.as_string()->get();
  return std::regex_match(text, kDecimal) ? text : "";
}

template <typename T>
std::string Streamed(const T& v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

std::string TypedText(const toml::node& value, std::string_view type) {
  if (type == "text") return value.is_string() ? value.as_string()->get() : "";
  if (type == "int") return IntegerText(value);
  if (type == "decimal") return DecimalText(value);
  if (type == "bool") {
    if (value.is_boolean()) return value.as_boolean()->get() ? "true" : "false";
    if (value.is_string()) {
      const std::string& text = value.as_string()->get();
      if (text == "true" || text == "false") return text;
    }
    return "";
  }
  if (type == "date") {
    if (value.is_date()) return Streamed(value.as_date()->get());
    return value.is_string() && IsDateText(value.as_string()->get()) ? value.as_string()->get()
                                                                     : "";
  }
  // datetime
  if (value.is_date_time()) return DateTimeText(Streamed(value.as_date_time()->get()));
  return value.is_string() ? DateTimeText(value.as_string()->get()) : "";
}

std::string_view Expected(std::string_view type) {
  if (type == "text") return "expected a string (field type text)";
  if (type == "int") return "expected an integer (field type int)";
  if (type == "decimal") return "expected a number like 19.90 (field type decimal)";
  if (type == "bool") return "expected true or false (field type bool)";
  if (type == "date") return "expected a date YYYY-MM-DD (field type date)";
  return "expected a date-time like 2024-05-01T12:30:00Z (field type datetime)";
}

}  // namespace

bool IsFieldType(std::string_view type) {
  constexpr std::array<std::string_view, 6> kTypes = {"text", "int",  "decimal",
                                                      "bool", "date", "datetime"};
  for (auto t : kTypes) {
    if (t == type) return true;
  }
  return false;
}

Result<std::string> FieldValueText(const toml::node& value, std::string_view type) {
  if (value.is_string() && value.as_string()->get().empty()) return std::string();
  std::string text = TypedText(value, type);
  if (text.empty()) return Status::InvalidArgument(std::string(Expected(type)));
  if (text.size() > limits::kMaxFieldValueBytes) {
    return Status::InvalidArgument("longer than " + std::to_string(limits::kMaxFieldValueBytes) +
                                   " bytes");
  }
  return text;
}

}  // namespace campaignd::admin
