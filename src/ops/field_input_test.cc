#include "ops/field_input.h"

#include <gtest/gtest.h>

#include "render/field_functions.h"

namespace campaignd::ops {
namespace {

store::RecipientList List() {
  store::RecipientList list;
  list.fields = {{"name", "text"}, {"orders", "int"}, {"total", "decimal"},
                 {"vip", "bool"},  {"born", "date"},  {"seen", "datetime"}};
  return list;
}

Params Make(std::initializer_list<std::pair<std::string, std::string>> pairs) {
  Params p;
  for (const auto& [k, v] : pairs) p.Add(k, v);
  return p;
}

// Applies `pairs` (modifiers allowed) to `fields`; the status.
Status Apply(std::initializer_list<std::pair<std::string, std::string>> pairs, FieldValues& fields,
             bool sanitize = false) {
  auto changes = FieldChanges(Make(pairs), List(), true, sanitize);
  if (!changes.ok()) return changes.status();
  return ApplyFieldChanges(*changes, List(), fields);
}

TEST(FieldInputTest, TypedValuesAreCheckedAndStoredInTheirTextForm) {
  EXPECT_EQ(*FieldText("-12", "int"), "-12");
  EXPECT_FALSE(FieldText("1.5", "int").ok());
  EXPECT_FALSE(FieldText("12a", "int").ok());
  EXPECT_EQ(*FieldText("19.90", "decimal"), "19.90");
  EXPECT_FALSE(FieldText("19,90", "decimal").ok());
  EXPECT_EQ(*FieldText("1", "bool"), "true");
  EXPECT_EQ(*FieldText("nope", "bool"), "false");
  EXPECT_EQ(*FieldText("2024-02-29", "date"), "2024-02-29");
  EXPECT_FALSE(FieldText("2024-13-01", "date").ok());
  EXPECT_EQ(*FieldText("2024-05-01 12:30", "datetime"), "2024-05-01T12:30");
  EXPECT_EQ(*FieldText("2024-05-01T12:30:59+02:00", "datetime"), "2024-05-01T12:30:59+02:00");
  EXPECT_FALSE(FieldText("2024-05-01 25:00", "datetime").ok());
  EXPECT_EQ(*FieldText("", "int"), "");  // no value
  EXPECT_EQ(*FieldText("<b>", "text"), "<b>");
}

TEST(FieldInputTest, UnknownFieldsAndBmParametersAreSkippedNamesLowerCased) {
  auto changes = FieldChanges(Make({{"Name", "Ann"}, {"shoe", "42"}, {"bmRecipientId", "x"}}),
                              List(), false, false);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].name, "name");
  EXPECT_EQ((*changes)[0].value, "Ann");
}

TEST(FieldInputTest, ModifiersAddSubPrependAppend) {
  FieldValues f{{"name", "Smith"}, {"orders", "3"}, {"total", "10.5"}};
  ASSERT_TRUE(Apply({{"orders[add]", "2"},
                     {"total[sub]", "0.75"},
                     {"name[prepend]", "Dr. "},
                     {"name[append]", " Jr."}},
                    f)
                  .ok());
  EXPECT_EQ(f["orders"], "5");
  EXPECT_EQ(f["total"], "9.75");
  EXPECT_EQ(f["name"], "Dr. Smith Jr.");
  FieldValues empty;
  ASSERT_TRUE(Apply({{"orders[sub]", "4"}, {"name[append]", "x"}}, empty).ok());
  EXPECT_EQ(empty["orders"], "-4");
  EXPECT_EQ(empty["name"], "x");
}

TEST(FieldInputTest, ModifiersThatDoNotFitTheFieldAreRefused) {
  FieldValues f{{"orders", "3"}};
  EXPECT_FALSE(Apply({{"name[add]", "1"}}, f).ok());
  EXPECT_FALSE(Apply({{"orders[append]", "1"}}, f).ok());
  EXPECT_FALSE(Apply({{"orders[add]", "1.5"}}, f).ok());
  EXPECT_FALSE(Apply({{"orders[add]", "x"}}, f).ok());
  EXPECT_FALSE(Apply({{"orders[mul]", "2"}}, f).ok());
  EXPECT_FALSE(Apply({{"orders", "many"}}, f).ok());
  EXPECT_EQ(f["orders"], "3");
  FieldValues big{{"orders", "999999999999999999"}};
  EXPECT_FALSE(Apply({{"orders[add]", "9999999999999999999"}}, big).ok());  // > 18 digits
  EXPECT_FALSE(Apply({{"orders[add]", "1"}}, big).ok());  // 19 digits: out of range
  EXPECT_TRUE(Apply({{"orders[sub]", "1"}}, big).ok());
  EXPECT_EQ(big["orders"], "999999999999999998");
  auto plain = FieldChanges(Make({{"orders[add]", "1"}}), List(), false, false);
  EXPECT_FALSE(plain.ok());  // subscribe takes no modifiers
}

TEST(FieldInputTest, SanitizeEscapesHtml) {
  EXPECT_EQ(render::EscapeHtml(R"(<a href="x">'&'</a>)"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  FieldValues f;
  ASSERT_TRUE(Apply({{"name", "<script>"}}, f, true).ok());
  EXPECT_EQ(f["name"], "&lt;script&gt;");
}

}  // namespace
}  // namespace campaignd::ops
