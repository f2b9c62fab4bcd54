#include "store/postgres/pg_url.h"

#include <gtest/gtest.h>

#include "store/store_testutil.h"

namespace campaignd::store::postgres {
namespace {

TEST(PgUrlTest, RecognisesBothSchemes) {
  EXPECT_TRUE(IsPostgresUrl("postgresql://u@h:5432/db"));
  EXPECT_TRUE(IsPostgresUrl("postgres://h/db"));
  EXPECT_FALSE(IsPostgresUrl("postgresql:h/db"));
  EXPECT_FALSE(IsPostgresUrl("sqlite:x.db"));
  EXPECT_FALSE(IsPostgresUrl(""));
}

TEST(PgUrlTest, RedactsOnlyThePassword) {
  EXPECT_EQ(RedactUrl("postgresql://u:secret@h:5432/db?sslmode=require"),
            "postgresql://u:***@h:5432/db?sslmode=require");
  EXPECT_EQ(RedactUrl("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(RedactUrl("postgres://h/db"), "postgres://h/db");
  EXPECT_EQ(RedactUrl("postgresql://u:p%40ss@h/db"), "postgresql://u:***@h/db");
  EXPECT_EQ(RedactUrl("not a url"), "not a url");
}

TEST(PgUrlTest, ScrubsRawAndDecodedPassword) {
  const std::string url = "postgresql://u:p%40ss@h/db";
  EXPECT_EQ(ScrubPassword("bad p%40ss and p@ss", url), "bad *** and ***");
  EXPECT_EQ(ScrubPassword("nothing here", "postgresql://u@h/db"), "nothing here");
}

TEST(PgUrlTest, WithDatabaseKeepsEverythingElse) {
  EXPECT_EQ(*WithDatabase("postgresql://u:p@h:5/postgres?sslmode=disable", "other"),
            "postgresql://u:p@h:5/other?sslmode=disable");
  EXPECT_EQ(*WithDatabase("postgres://h", "x"), "postgres://h/x");
  EXPECT_EQ(*WithDatabase("postgresql://h/?host=/tmp", "x"), "postgresql://h/x?host=/tmp");
  EXPECT_TRUE(WithDatabase("sqlite:x", "y").status().IsInvalidArgument());
}

}  // namespace
}  // namespace campaignd::store::postgres
