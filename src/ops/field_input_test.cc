#include "ops/field_input.h"

#include <gtest/gtest.h>

#include "core/limits.h"
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

// The field-value rules of core/field_value.h (docs/decisions/0016) as a
// request parameter meets them: the stored text, or refused (the operation
// answers syntax_error).
std::string Stored(const std::string& name, const std::string& value) {
  FieldValues f;
  Status status = Apply({{name, value}}, f);
  return status.ok() ? f[name] : "REFUSED";
}

TEST(FieldInputTest, TypedValuesFollowTheOneSetOfFieldRules) {
  EXPECT_EQ(Stored("orders", "-12"), "-12");
  EXPECT_EQ(Stored("orders", "+7"), "7");
  EXPECT_EQ(Stored("orders", "1.5"), "REFUSED");
  EXPECT_EQ(Stored("orders", "12a"), "REFUSED");
  EXPECT_EQ(Stored("orders", "1000000000000000000"), "REFUSED");  // 19 digits
  EXPECT_EQ(Stored("total", "19.90"), "19.90");
  EXPECT_EQ(Stored("total", "+1.5"), "1.5");
  EXPECT_EQ(Stored("total", "19,90"), "REFUSED");
  EXPECT_EQ(Stored("vip", "1"), "true");  // behaviour.md §2 booleans
  EXPECT_EQ(Stored("vip", "Yes"), "true");
  EXPECT_EQ(Stored("vip", "nope"), "false");
  EXPECT_EQ(Stored("born", "2024-02-29"), "2024-02-29");
  EXPECT_EQ(Stored("born", "2024-02-31"), "REFUSED");  // no such day
  EXPECT_EQ(Stored("born", "2023-02-29"), "REFUSED");
  EXPECT_EQ(Stored("born", "2024-13-01"), "REFUSED");
  EXPECT_EQ(Stored("seen", "2024-05-01 12:30"), "2024-05-01T12:30");
  EXPECT_EQ(Stored("seen", "2024-05-01T12:30:59+02:00"), "2024-05-01T12:30:59+02:00");
  EXPECT_EQ(Stored("seen", "2024-05-01t12:30:59z"), "2024-05-01T12:30:59Z");
  EXPECT_EQ(Stored("seen", "2024-05-01T12:30:59.5Z"), "REFUSED");  // no fractional seconds
  EXPECT_EQ(Stored("seen", "2024-02-31T10:00"), "REFUSED");
  EXPECT_EQ(Stored("seen", "2024-05-01 25:00"), "REFUSED");
  EXPECT_EQ(Stored("orders", ""), "");  // no value
  EXPECT_EQ(Stored("name", "<b>"), "<b>");
  EXPECT_EQ(Stored("name", std::string(limits::kMaxFieldValueBytes + 1, 'x')), "REFUSED");
}

TEST(FieldInputTest, AppendedTextKeepsTheLengthLimit) {
  FieldValues f{{"name", std::string(limits::kMaxFieldValueBytes, 'x')}};
  EXPECT_FALSE(Apply({{"name[append]", "y"}}, f).ok());
  EXPECT_EQ(f["name"].size(), limits::kMaxFieldValueBytes);
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
