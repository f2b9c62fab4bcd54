#include "core/params.h"

#include <gtest/gtest.h>

namespace campaignd {
namespace {

TEST(ParamsTest, FirstValueWins) {
  Params p;
  p.Add("bmMailingId", "1");
  p.Add("bmMailingId", "2");
  EXPECT_EQ(p.Get("bmMailingId"), "1");
  EXPECT_EQ(p.size(), 1u);
}

TEST(ParamsTest, NamesAreCaseSensitive) {
  Params p;
  p.Add("bmRecipientId", "a@example.com");
  EXPECT_FALSE(p.Get("bmrecipientid").has_value());
  EXPECT_TRUE(p.Has("bmRecipientId"));
}

TEST(ParamsTest, EmptyValueIsPresentButNotHas) {
  Params p;
  p.Add("bmMailingId", "");
  EXPECT_TRUE(p.Get("bmMailingId").has_value());
  EXPECT_FALSE(p.Has("bmMailingId"));
}

TEST(ParamsTest, BooleansFollowTheContract) {
  for (const char* t : {"true", "TRUE", "True", "1", "yes", "YES", "on", "On"}) {
    EXPECT_TRUE(ParseBool(t)) << t;
  }
  for (const char* f : {"false", "0", "no", "off", "", "2", "tru", "y", " true"}) {
    EXPECT_FALSE(ParseBool(f)) << f;
  }
  Params p;
  p.Add("bmVerbose", "1");
  EXPECT_TRUE(p.GetBool("bmVerbose"));
  EXPECT_FALSE(p.GetBool("bmOverwrite"));
}

TEST(ParamsTest, FieldValuesAreTheNonBmParameters) {
  Params p;
  p.Add("bmRecipientId", "a@example.com");
  p.Add("firstname", "Jo");
  p.Add("BMX", "kept: only lower-case bm is a system prefix");
  p.Add("orders", "3");
  auto fields = p.FieldValues();
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0].first, "firstname");
  EXPECT_EQ(fields[1].first, "BMX");
  EXPECT_EQ(fields[2].second, "3");
}

}  // namespace
}  // namespace campaignd
