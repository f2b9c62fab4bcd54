#include "core/target_group.h"

#include <gtest/gtest.h>

#include <string>

namespace campaignd {
namespace {

// Parses `expression` (which must be valid) and evaluates it on `fields`.
bool Eval(std::string_view expression, const FieldValues& fields) {
  auto group = TargetGroup::Parse(expression);
  EXPECT_TRUE(group.ok()) << expression << ": " << group.status().ToString();
  return group.ok() && group->Matches(fields);
}

// The message of the failed parse of `expression`.
std::string ParseError(std::string_view expression) {
  auto group = TargetGroup::Parse(expression);
  EXPECT_FALSE(group.ok()) << expression;
  if (group.ok()) return "";
  EXPECT_TRUE(group.status().IsInvalidArgument());
  return group.status().message();
}

TEST(TargetGroupTest, SpecExample) {
  const std::string expr = "country = 'DE' AND NOT (orders < 1)";
  EXPECT_TRUE(Eval(expr, {{"country", "DE"}, {"orders", "3"}}));
  EXPECT_FALSE(Eval(expr, {{"country", "DE"}, {"orders", "0"}}));
  EXPECT_FALSE(Eval(expr, {{"country", "AT"}, {"orders", "3"}}));
  EXPECT_FALSE(Eval(expr, {{"country", "de"}, {"orders", "3"}}));  // '=' is exact
  auto group = TargetGroup::Parse(expr);
  ASSERT_TRUE(group.ok());
  EXPECT_EQ(group->expression(), expr);
}

TEST(TargetGroupTest, EmptyExpressionMatchesEverything) {
  EXPECT_TRUE(Eval("", {}));
  EXPECT_TRUE(Eval("  \t\n ", {{"a", "1"}}));
}

TEST(TargetGroupTest, AndBindsTighterThanOr) {
  const std::string expr = "a = 1 OR b = 1 AND c = 1";  // a OR (b AND c)
  EXPECT_TRUE(Eval(expr, {{"a", "1"}}));
  EXPECT_FALSE(Eval(expr, {{"b", "1"}}));
  EXPECT_TRUE(Eval(expr, {{"b", "1"}, {"c", "1"}}));
  const std::string grouped = "(a = 1 OR b = 1) AND c = 1";
  EXPECT_FALSE(Eval(grouped, {{"a", "1"}}));
  EXPECT_TRUE(Eval(grouped, {{"a", "1"}, {"c", "1"}}));
}

TEST(TargetGroupTest, NotBindsTighterThanAnd) {
  const std::string expr = "NOT a = 1 AND b = 1";  // (NOT a) AND b
  EXPECT_TRUE(Eval(expr, {{"a", "2"}, {"b", "1"}}));
  EXPECT_FALSE(Eval(expr, {{"a", "1"}, {"b", "2"}}));
  EXPECT_FALSE(Eval(expr, {{"a", "2"}, {"b", "2"}}));
  EXPECT_TRUE(Eval("NOT NOT a = 1", {{"a", "1"}}));
  EXPECT_TRUE(Eval("NOT (a = 1 AND b = 1)", {{"a", "1"}, {"b", "2"}}));
}

TEST(TargetGroupTest, LongChainsAndOr) {
  std::string chain = "x = 0";
  for (int i = 1; i < 200; ++i) chain += " OR x = " + std::to_string(i);
  EXPECT_TRUE(Eval(chain, {{"x", "199"}}));
  EXPECT_FALSE(Eval(chain, {{"x", "200"}}));
}

TEST(TargetGroupTest, KeywordsAndFieldNamesAreCaseInsensitive) {
  EXPECT_TRUE(Eval("Country = 'DE' and not Orders < 1", {{"country", "DE"}, {"orders", "2"}}));
  EXPECT_TRUE(Eval("COUNTRY is not empty Or x = 1", {{"country", "DE"}}));
  EXPECT_TRUE(Eval("first_name.x-y = 'a'", {{"first_name.x-y", "a"}}));
}

TEST(TargetGroupTest, NumbersCompareNumerically) {
  EXPECT_TRUE(Eval("orders > 9", {{"orders", "10"}}));
  EXPECT_TRUE(Eval("orders = 10", {{"orders", "010"}}));
  EXPECT_TRUE(Eval("price = 2.5", {{"price", "2.50"}}));
  EXPECT_TRUE(Eval("price < 2.05", {{"price", "2.049"}}));
  EXPECT_TRUE(Eval("balance < -1", {{"balance", "-1.5"}}));
  EXPECT_TRUE(Eval("balance > -1", {{"balance", "0"}}));
  EXPECT_TRUE(Eval("balance = 0", {{"balance", "-0.0"}}));
  EXPECT_TRUE(Eval("n >= +3", {{"n", "3"}}));
  EXPECT_TRUE(Eval("n != 3", {{"n", "4"}}));
  EXPECT_TRUE(Eval("big < 12345678901234567891", {{"big", "12345678901234567890"}}));
  // A quoted literal is text, even when it looks like a number.
  EXPECT_FALSE(Eval("orders > '9'", {{"orders", "10"}}));  // "10" < "9" as text
  EXPECT_FALSE(Eval("zip = '01234'", {{"zip", "1234"}}));
  EXPECT_TRUE(Eval("zip = '01234'", {{"zip", "01234"}}));
}

TEST(TargetGroupTest, TextComparesAsText) {
  EXPECT_TRUE(Eval("name < 'b'", {{"name", "alice"}}));
  EXPECT_FALSE(Eval("name < 'b'", {{"name", "bob"}}));
  EXPECT_TRUE(Eval("name = 'O''Brien'", {{"name", "O'Brien"}}));
  EXPECT_TRUE(Eval("name = ''", {}));
  EXPECT_TRUE(Eval("name = 'Jörg'", {{"name", "Jörg"}}));
  // A number literal against a non-number value compares as text.
  EXPECT_TRUE(Eval("code > 1", {{"code", "abc"}}));
  EXPECT_FALSE(Eval("code = 1", {{"code", "1x"}}));
}

TEST(TargetGroupTest, DatesCompareAsIsoText) {
  const std::string expr = "birthday >= 2024-01-01 AND birthday < 2024-02-01";
  EXPECT_TRUE(Eval(expr, {{"birthday", "2024-01-15"}}));
  EXPECT_FALSE(Eval(expr, {{"birthday", "2023-12-31"}}));
  EXPECT_FALSE(Eval(expr, {{"birthday", "2024-02-01"}}));
  EXPECT_TRUE(Eval("d = 2024-02-29", {{"d", "2024-02-29"}}));
}

TEST(TargetGroupTest, MissingFieldIsEmptyString) {
  EXPECT_TRUE(Eval("city = ''", {}));
  EXPECT_FALSE(Eval("city = 'Berlin'", {}));
  EXPECT_TRUE(Eval("city != 'Berlin'", {}));
  EXPECT_TRUE(Eval("orders < 1", {}));  // "" < "1" as text
  EXPECT_TRUE(Eval("city IS EMPTY", {}));
}

TEST(TargetGroupTest, ContainsIsCaseInsensitive) {
  EXPECT_TRUE(Eval("email CONTAINS 'EXAMPLE'", {{"email", "a@Example.com"}}));
  EXPECT_FALSE(Eval("email CONTAINS 'example.org'", {{"email", "a@example.com"}}));
  EXPECT_TRUE(Eval("email contains ''", {}));
  EXPECT_FALSE(Eval("email CONTAINS 'x'", {}));
}

TEST(TargetGroupTest, IsEmpty) {
  EXPECT_TRUE(Eval("phone IS EMPTY", {{"phone", ""}}));
  EXPECT_FALSE(Eval("phone IS EMPTY", {{"phone", "1"}}));
  EXPECT_TRUE(Eval("phone IS NOT EMPTY", {{"phone", "1"}}));
  EXPECT_FALSE(Eval("phone IS NOT EMPTY", {}));
}

TEST(TargetGroupTest, ErrorsNameColumnAndExpectation) {
  EXPECT_EQ(ParseError("country = 'DE' AND orders >="),
            "column 29: expected a literal after '>=', found the end of the expression");
  EXPECT_EQ(ParseError("orders >= AND"), "column 11: expected a literal after '>=', found 'AND'");
  EXPECT_EQ(ParseError("orders 5"),
            "column 8: expected an operator, CONTAINS or IS after 'orders', found '5'");
  EXPECT_EQ(ParseError("= 5"), "column 1: expected a field name or '(', found '='");
  EXPECT_EQ(ParseError("AND = 5"), "column 1: expected a field name or '(', found 'AND'");
  EXPECT_EQ(ParseError("a = 1 AND"),
            "column 10: expected a field name or '(', found the end of the expression");
  EXPECT_EQ(ParseError("(a = 1"), "column 7: expected ')', found the end of the expression");
  EXPECT_EQ(ParseError("a = 1)"),
            "column 6: expected AND, OR or the end of the expression, found ')'");
  EXPECT_EQ(ParseError("a = 1 b = 2"),
            "column 7: expected AND, OR or the end of the expression, found 'b'");
  EXPECT_EQ(ParseError("a CONTAINS 5"),
            "column 12: expected a quoted text after CONTAINS, found '5'");
  EXPECT_EQ(ParseError("a IS FULL"), "column 6: expected EMPTY after IS or IS NOT, found 'FULL'");
  EXPECT_EQ(ParseError("a = 'open"), "column 5: unterminated text literal");
  EXPECT_EQ(ParseError("a = 12abc"), "column 5: invalid number or date '12abc'");
  EXPECT_EQ(ParseError("a = 2024-13-01"), "column 5: invalid number or date '2024-13-01'");
  EXPECT_EQ(ParseError("a = 2023-02-29"), "column 5: invalid number or date '2023-02-29'");
  EXPECT_EQ(ParseError("a = 1.5.2"), "column 5: invalid number or date '1.5.2'");
  EXPECT_EQ(ParseError("a # 1"), "column 3: unexpected character '#'");
  EXPECT_EQ(ParseError("a ! 1"), "column 3: unexpected character '!'");
  EXPECT_EQ(ParseError("a = \"x\""), "column 5: unexpected character '\"'");
  EXPECT_EQ(ParseError("()"), "column 2: expected a field name or '(', found ')'");
  EXPECT_EQ(ParseError("NOT"),
            "column 4: expected a field name or '(', found the end of the expression");
}

TEST(TargetGroupTest, ColumnsCountCodePoints) {
  EXPECT_EQ(ParseError("a = 'ü' b"),
            "column 9: expected AND, OR or the end of the expression, found 'b'");
}

TEST(TargetGroupTest, ErrorsNeverContainControlCharacters) {
  for (std::string expr : {std::string("a = 1\x01"), std::string("a = 'x\ny'"),
                           std::string("a\0= 1", 5), std::string("a = \x1b[31m")}) {
    std::string message = ParseError(expr);
    EXPECT_NE(message.find("column"), std::string::npos) << message;
    for (char c : message) EXPECT_GE(static_cast<unsigned char>(c), 32) << message;
  }
  EXPECT_EQ(ParseError("a = 1\x01"), "column 6: unexpected character byte 0x01");
}

TEST(TargetGroupTest, DeepNestingIsRefused) {
  auto nested = [](int levels) {
    return std::string(levels, '(') + "a = 1" + std::string(levels, ')');
  };
  EXPECT_TRUE(Eval(nested(64), {{"a", "1"}}));
  EXPECT_NE(ParseError(nested(65)).find("nesting deeper than 64 levels"), std::string::npos);
  auto nots = [](int levels) {
    std::string s;
    for (int i = 0; i < levels; ++i) s += "NOT ";
    return s + "a = 1";
  };
  EXPECT_TRUE(Eval(nots(64), {{"a", "1"}}));
  EXPECT_NE(ParseError(nots(65)).find("nesting deeper than 64 levels"), std::string::npos);
  // 2000 parentheses fit in the length limit; they must fail cleanly.
  EXPECT_NE(ParseError(nested(2000)).find("nesting deeper"), std::string::npos);
}

TEST(TargetGroupTest, LengthLimit) {
  std::string expr = "a = '" + std::string(TargetGroup::kMaxExpressionBytes - 6, 'x') + "'";
  ASSERT_EQ(expr.size(), TargetGroup::kMaxExpressionBytes);
  EXPECT_TRUE(TargetGroup::Parse(expr).ok());
  EXPECT_EQ(ParseError(expr + " "), "expression longer than 4096 bytes");
}

TEST(TargetGroupTest, CopiesShareTheImmutableTree) {
  auto group = TargetGroup::Parse("a = 1");
  ASSERT_TRUE(group.ok());
  TargetGroup copy = *group;
  EXPECT_TRUE(copy.Matches({{"a", "1"}}));
  EXPECT_FALSE(copy.Matches({{"a", "2"}}));
}

}  // namespace
}  // namespace campaignd
