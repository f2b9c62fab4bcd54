#include "store/json_text.h"

#include <gtest/gtest.h>

namespace campaignd::store {
namespace {

TEST(JsonTextTest, FieldsRoundTrip) {
  FieldValues fields = {{"firstname", "Jörg \"J\" <b>"}, {"empty", ""}, {"x", "a\nb"}};
  Result<std::string> text = FieldsToJson(fields);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  Result<FieldValues> back = FieldsFromJson(*text, "test");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, fields);
  EXPECT_EQ(*FieldsToJson({}), "{}");
}

TEST(JsonTextTest, StringsRoundTrip) {
  std::vector<std::string> strings = {"10.0.0.0/8", "::1/128", ""};
  Result<std::string> text = StringsToJson(strings);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, R"(["10.0.0.0/8","::1/128",""])");
  EXPECT_EQ(*StringsFromJson(*text, "test"), strings);
  EXPECT_EQ(*StringsToJson({}), "[]");
}

TEST(JsonTextTest, InvalidUtf8IsRefused) {
  Result<std::string> text = FieldsToJson({{"name", "\xff\xfe"}});
  ASSERT_FALSE(text.ok());
  EXPECT_TRUE(text.status().IsInvalidArgument()) << text.status().ToString();
}

TEST(JsonTextTest, BadStoredTextIsCorruption) {
  Result<FieldValues> broken = FieldsFromJson("{not json", "mail 7 fields");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), Status::Code::kCorruption);
  EXPECT_NE(broken.status().message().find("mail 7 fields"), std::string::npos);
  EXPECT_FALSE(FieldsFromJson("[]", "x").ok());
  EXPECT_FALSE(FieldsFromJson(R"({"a":1})", "x").ok());
  EXPECT_FALSE(StringsFromJson("{}", "x").ok());
  EXPECT_FALSE(StringsFromJson("[1]", "x").ok());
}

}  // namespace
}  // namespace campaignd::store
