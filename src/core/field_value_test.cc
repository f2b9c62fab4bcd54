// The one set of field-value rules (docs/decisions/0016-field-values.md),
// type by type. The surfaces assert the same rules through their own inputs:
// ops/field_input_test.cc (request parameters), admin/provisioning_file_test.cc
// (TOML values) and admin/api/json_model_test.cc (admin API JSON and CSV).
#include "core/field_value.h"

#include <gtest/gtest.h>

#include "core/limits.h"

namespace campaignd {
namespace {

// The stored text of `value` for `type`, or "ERROR: <message>".
std::string Text(std::string_view value, std::string_view type) {
  Result<std::string> text = FieldValueText(value, type);
  return text.ok() ? *text : "ERROR: " + text.status().message();
}

TEST(FieldValueTest, TypeNames) {
  for (auto t : {"text", "int", "decimal", "bool", "date", "datetime"}) EXPECT_TRUE(IsFieldType(t));
  EXPECT_FALSE(IsFieldType("string"));
  EXPECT_FALSE(IsFieldType("INT"));
  EXPECT_FALSE(IsFieldType(""));
}

TEST(FieldValueTest, EmptyIsNoValueForEveryType) {
  for (auto t : {"text", "int", "decimal", "bool", "date", "datetime"}) {
    EXPECT_EQ(Text("", t), "") << t;
    EXPECT_EQ(*ParameterFieldValueText("", t), "") << t;
  }
}

TEST(FieldValueTest, OverlongValuesAreRefusedForEveryType) {
  const std::string big(limits::kMaxFieldValueBytes + 1, '1');
  const std::string error =
      "ERROR: longer than " + std::to_string(limits::kMaxFieldValueBytes) + " bytes";
  for (auto t : {"text", "int", "decimal", "bool", "date", "datetime"}) {
    EXPECT_EQ(Text(big, t), error) << t;
  }
  EXPECT_FALSE(ParameterFieldValueText(big, "bool").ok());
  EXPECT_FALSE(ParameterFieldValueText(big, "text").ok());
  EXPECT_EQ(Text(big.substr(1), "text"), big.substr(1));  // exactly the limit
}

TEST(FieldValueTest, Text) {
  EXPECT_EQ(Text("John", "text"), "John");
  EXPECT_EQ(Text("<b>", "text"), "<b>");
}

TEST(FieldValueTest, Int) {
  const std::string error = "ERROR: expected an integer (field type int)";
  EXPECT_EQ(Text("3", "int"), "3");
  EXPECT_EQ(Text("-12", "int"), "-12");
  EXPECT_EQ(Text("+7", "int"), "7");
  EXPECT_EQ(Text("007", "int"), "007");  // stored as written
  EXPECT_EQ(Text("999999999999999999", "int"), "999999999999999999");  // 18 digits
  EXPECT_EQ(Text("1000000000000000000", "int"), error);                // 19
  EXPECT_EQ(Text("4.5", "int"), error);
  EXPECT_EQ(Text("4.", "int"), error);
  EXPECT_EQ(Text("12a", "int"), error);
  EXPECT_EQ(Text("-", "int"), error);
  EXPECT_EQ(Text("+-1", "int"), error);
  EXPECT_EQ(Text(" 1", "int"), error);
}

TEST(FieldValueTest, Decimal) {
  const std::string error = "ERROR: expected a number like 19.90 (field type decimal)";
  EXPECT_EQ(Text("19.90", "decimal"), "19.90");
  EXPECT_EQ(Text("3", "decimal"), "3");
  EXPECT_EQ(Text("-0.50", "decimal"), "-0.50");
  EXPECT_EQ(Text("+1.5", "decimal"), "1.5");
  EXPECT_EQ(Text("1234567890.12345678", "decimal"), "1234567890.12345678");  // 18 digits
  EXPECT_EQ(Text("1234567890.123456789", "decimal"), error);                 // 19
  EXPECT_EQ(Text("19,90", "decimal"), error);
  EXPECT_EQ(Text(".5", "decimal"), error);
  EXPECT_EQ(Text("5.", "decimal"), error);
  EXPECT_EQ(Text("1e3", "decimal"), error);
  EXPECT_EQ(Text("inf", "decimal"), error);
}

TEST(FieldValueTest, BoolIsTrueOrFalse) {
  const std::string error = "ERROR: expected true or false (field type bool)";
  EXPECT_EQ(Text("true", "bool"), "true");
  EXPECT_EQ(Text("false", "bool"), "false");
  EXPECT_EQ(Text("yes", "bool"), error);
  EXPECT_EQ(Text("1", "bool"), error);
  EXPECT_EQ(Text("TRUE", "bool"), error);
}

TEST(FieldValueTest, BoolParameterReadsAsEveryBooleanParameter) {
  for (auto t : {"true", "TRUE", "1", "yes", "On"}) {
    EXPECT_EQ(*ParameterFieldValueText(t, "bool"), "true") << t;
  }
  for (auto f : {"false", "0", "no", "nope"}) {
    EXPECT_EQ(*ParameterFieldValueText(f, "bool"), "false") << f;
  }
  // Every other type: the same rule as FieldValueText.
  EXPECT_FALSE(ParameterFieldValueText("2024-02-31", "date").ok());
  EXPECT_EQ(*ParameterFieldValueText("+7", "int"), "7");
}

TEST(FieldValueTest, DateIsARealCalendarDay) {
  const std::string error = "ERROR: expected a date YYYY-MM-DD (field type date)";
  EXPECT_EQ(Text("1990-05-01", "date"), "1990-05-01");
  EXPECT_EQ(Text("2024-02-29", "date"), "2024-02-29");
  EXPECT_EQ(Text("2000-02-29", "date"), "2000-02-29");
  EXPECT_EQ(Text("2023-02-29", "date"), error);
  EXPECT_EQ(Text("2024-02-31", "date"), error);
  EXPECT_EQ(Text("1900-02-29", "date"), error);
  EXPECT_EQ(Text("2024-04-31", "date"), error);
  EXPECT_EQ(Text("2024-13-01", "date"), error);
  EXPECT_EQ(Text("2024-00-10", "date"), error);
  EXPECT_EQ(Text("2024-01-00", "date"), error);
  EXPECT_EQ(Text("01.05.1990", "date"), error);
  EXPECT_EQ(Text("2024-5-1", "date"), error);
  EXPECT_EQ(Text("1990-05-01T10:00:00Z", "date"), error);
  EXPECT_TRUE(IsCalendarDate("2024-12-31"));
  EXPECT_FALSE(IsCalendarDate("2024-12-32"));
}

TEST(FieldValueTest, DateTime) {
  const std::string error =
      "ERROR: expected a date-time like 2024-05-01T12:30:00Z (field type datetime)";
  EXPECT_EQ(Text("2024-05-01T12:30:00Z", "datetime"), "2024-05-01T12:30:00Z");
  EXPECT_EQ(Text("2024-05-01T12:30:59+02:00", "datetime"), "2024-05-01T12:30:59+02:00");
  EXPECT_EQ(Text("2024-05-01 12:30", "datetime"), "2024-05-01T12:30");
  EXPECT_EQ(Text("2024-05-01t12:30:00z", "datetime"), "2024-05-01T12:30:00Z");
  EXPECT_EQ(Text("2024-05-01T12:30-05:30", "datetime"), "2024-05-01T12:30-05:30");
  EXPECT_EQ(Text("2016-12-31T23:59:60Z", "datetime"), "2016-12-31T23:59:60Z");  // leap second
  EXPECT_EQ(Text("2024-05-01T12:30:59.5Z", "datetime"), error);  // no fractional seconds
  EXPECT_EQ(Text("2024-05-01T12:30:59.123", "datetime"), error);
  EXPECT_EQ(Text("2024-02-31T10:00", "datetime"), error);  // impossible date
  EXPECT_EQ(Text("2024-05-01T24:00", "datetime"), error);
  EXPECT_EQ(Text("2024-05-01 25:00", "datetime"), error);
  EXPECT_EQ(Text("2024-05-01T12:60", "datetime"), error);
  EXPECT_EQ(Text("2024-05-01T12:30:61", "datetime"), error);
  EXPECT_EQ(Text("2024-05-01T12:30+24:00", "datetime"), error);
  EXPECT_EQ(Text("2024-05-01T12:30+0200", "datetime"), error);
  EXPECT_EQ(Text("2024-13-01T10:00", "datetime"), error);
  EXPECT_EQ(Text("2024-05-01", "datetime"), error);
  EXPECT_EQ(Text("2024-05-01X12:30", "datetime"), error);
}

TEST(FieldValueTest, NumbersAreExact) {
  auto n = ParseFieldNumber("-0.50");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->mantissa, -50);
  EXPECT_EQ(n->scale, 2);
  EXPECT_EQ(FormatFieldNumber(*n), "-0.50");
  EXPECT_EQ(FormatFieldNumber({5, 3}), "0.005");
  auto sum = AddFieldNumbers(*ParseFieldNumber("10.5"), *ParseFieldNumber("0.75"), -1);
  ASSERT_TRUE(sum);
  EXPECT_EQ(FormatFieldNumber(*sum), "9.75");
  EXPECT_FALSE(AddFieldNumbers(*ParseFieldNumber("999999999999999999"), {1, 0}, 1));
  EXPECT_FALSE(ParseFieldNumber("1234567890123456789"));
}

}  // namespace
}  // namespace campaignd
