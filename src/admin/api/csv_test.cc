#include "admin/api/csv.h"

#include <gtest/gtest.h>

namespace campaignd::admin::api {
namespace {

using Rows = std::vector<std::vector<std::string>>;

Rows ReadAll(CsvReader& reader) {
  Rows rows;
  while (auto row = reader.Next()) rows.push_back(*row);
  return rows;
}

TEST(CsvReaderTest, QuotedFieldsLineEndsAndChunkBoundaries) {
  const std::string text =
      "\xEF\xBB\xBF" "email,name\r\n\"a@x.example\",\"Smith, \"\"J\"\"\"\r\n\nb@x.example,\"two\nlines\"\nc@x.example,";
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    CsvReader reader;
    reader.Feed(std::string_view(text).substr(0, cut));
    reader.Feed(std::string_view(text).substr(cut));
    reader.Finish();
    ASSERT_FALSE(reader.error()) << *reader.error();
    EXPECT_EQ(ReadAll(reader), (Rows{{"email", "name"},
                                     {"a@x.example", "Smith, \"J\""},
                                     {"b@x.example", "two\nlines"},
                                     {"c@x.example", ""}}))
        << "cut at " << cut;
  }
}

TEST(CsvReaderTest, ErrorsNameTheRow) {
  CsvReader open;
  open.Feed("a,b\n\"unclosed");
  open.Finish();
  ASSERT_TRUE(open.error());
  EXPECT_EQ(*open.error(), "row 2: a quoted field is not closed");
  CsvReader stray;
  stray.Feed("a,b\"c\n");
  ASSERT_TRUE(stray.error());
  CsvReader after;
  after.Feed("\"a\"b\n");
  ASSERT_TRUE(after.error());
  CsvReader huge;
  huge.Feed(std::string(kMaxCsvFieldBytes + 1, 'x'));
  EXPECT_TRUE(huge.error());
}

TEST(CsvLineTest, QuotesOnlyWhereNeeded) {
  EXPECT_EQ(CsvLine({"a", "b c", "x,y", "say \"hi\"", "l1\nl2"}),
            "a,b c,\"x,y\",\"say \"\"hi\"\"\",\"l1\nl2\"\r\n");
  CsvReader reader;
  reader.Feed(CsvLine({"x,y", "say \"hi\""}));
  reader.Finish();
  EXPECT_EQ(ReadAll(reader), (Rows{{"x,y", "say \"hi\""}}));
}

}  // namespace
}  // namespace campaignd::admin::api
