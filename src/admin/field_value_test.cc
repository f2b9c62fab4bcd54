#include "admin/field_value.h"

#include <gtest/gtest.h>

#include "core/limits.h"

namespace campaignd::admin {
namespace {

// The stored text of `value` (TOML syntax) for `type`, or "ERROR: ...".
std::string Convert(std::string_view value, std::string_view type) {
  toml::table t = toml::parse("v = " + std::string(value));
  auto text = FieldValueText(*t.get("v"), type);
  return text.ok() ? *text : "ERROR: " + text.status().message();
}

TEST(FieldValueTest, TypeNames) {
  for (auto t : {"text", "int", "decimal", "bool", "date", "datetime"}) EXPECT_TRUE(IsFieldType(t));
  EXPECT_FALSE(IsFieldType("string"));
  EXPECT_FALSE(IsFieldType("INT"));
}

TEST(FieldValueTest, Text) {
  EXPECT_EQ(Convert("\"John\"", "text"), "John");
  EXPECT_EQ(Convert("3", "text"), "ERROR: expected a string (field type text)");
}

TEST(FieldValueTest, EmptyStringIsNoValueForEveryType) {
  for (auto t : {"text", "int", "decimal", "bool", "date", "datetime"}) {
    EXPECT_EQ(Convert("\"\"", t), "") << t;
  }
}

TEST(FieldValueTest, Int) {
  EXPECT_EQ(Convert("3", "int"), "3");
  EXPECT_EQ(Convert("-12", "int"), "-12");
  EXPECT_EQ(Convert("\"42\"", "int"), "42");
  EXPECT_EQ(Convert("\"+7\"", "int"), "7");
  EXPECT_EQ(Convert("\"4.5\"", "int"), "ERROR: expected an integer (field type int)");
  EXPECT_EQ(Convert("4.5", "int"), "ERROR: expected an integer (field type int)");
  EXPECT_EQ(Convert("\"99999999999999999999\"", "int"),
            "ERROR: expected an integer (field type int)");
  EXPECT_EQ(Convert("true", "int"), "ERROR: expected an integer (field type int)");
}

TEST(FieldValueTest, Decimal) {
  EXPECT_EQ(Convert("19.99", "decimal"), "19.99");
  EXPECT_EQ(Convert("3", "decimal"), "3");
  EXPECT_EQ(Convert("\"-0.50\"", "decimal"), "-0.50");
  EXPECT_EQ(Convert("\"1,5\"", "decimal"),
            "ERROR: expected a number like 19.90 (field type decimal)");
  EXPECT_EQ(Convert("inf", "decimal"), "ERROR: expected a number like 19.90 (field type decimal)");
}

TEST(FieldValueTest, Bool) {
  EXPECT_EQ(Convert("true", "bool"), "true");
  EXPECT_EQ(Convert("false", "bool"), "false");
  EXPECT_EQ(Convert("\"false\"", "bool"), "false");
  EXPECT_EQ(Convert("\"yes\"", "bool"), "ERROR: expected true or false (field type bool)");
  EXPECT_EQ(Convert("1", "bool"), "ERROR: expected true or false (field type bool)");
}

TEST(FieldValueTest, Date) {
  EXPECT_EQ(Convert("1990-05-01", "date"), "1990-05-01");
  EXPECT_EQ(Convert("\"2024-02-29\"", "date"), "2024-02-29");
  EXPECT_EQ(Convert("\"2023-02-29\"", "date"),
            "ERROR: expected a date YYYY-MM-DD (field type date)");
  EXPECT_EQ(Convert("\"01.05.1990\"", "date"),
            "ERROR: expected a date YYYY-MM-DD (field type date)");
  EXPECT_EQ(Convert("1990-05-01T10:00:00Z", "date"),
            "ERROR: expected a date YYYY-MM-DD (field type date)");
}

TEST(FieldValueTest, DateTime) {
  const std::string error =
      "ERROR: expected a date-time like 2024-05-01T12:30:00Z (field type datetime)";
  EXPECT_EQ(Convert("2024-05-01T12:30:00Z", "datetime"), "2024-05-01T12:30:00Z");
  EXPECT_EQ(Convert("2024-05-01T12:30:00+02:00", "datetime"), "2024-05-01T12:30:00+02:00");
  EXPECT_EQ(Convert("\"2024-05-01 12:30\"", "datetime"), "2024-05-01T12:30");
  EXPECT_EQ(Convert("\"2024-05-01t12:30:59.5z\"", "datetime"), "2024-05-01T12:30:59.5Z");
  EXPECT_EQ(Convert("\"2024-05-01T24:00\"", "datetime"), error);
  EXPECT_EQ(Convert("\"2024-13-01T10:00\"", "datetime"), error);
  EXPECT_EQ(Convert("\"2024-05-01\"", "datetime"), error);
  EXPECT_EQ(Convert("2024-05-01", "datetime"), error);
}

TEST(FieldValueTest, OverlongValuesAreRefused) {
  const std::string big(limits::kMaxFieldValueBytes + 1, 'x');
  EXPECT_EQ(Convert("\"" + big + "\"", "text"),
            "ERROR: longer than " + std::to_string(limits::kMaxFieldValueBytes) + " bytes");
}

}  // namespace
}  // namespace campaignd::admin
