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

TEST(CsvLineTest, NeutralisesCellsASpreadsheetWouldRunAsFormulas) {
  EXPECT_EQ(CsvLine({"=HYPERLINK(\"http://evil.example\",\"x\")"}),
            "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"\r\n");
  EXPECT_EQ(CsvLine({"+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"}),
            "\"'+1+cmd|' /C calc'!A0\",\"'-2+3\",\"'@SUM(A1)\",\"'\tx\",\"'\rx\"\r\n");
  // Numbers stay numbers; a formula character elsewhere is harmless.
  EXPECT_EQ(CsvLine({"-5", "+49", "-1.25", "a=b", "x@y.example", "'quoted"}),
            "-5,+49,-1.25,a=b,x@y.example,'quoted\r\n");
  // A value that already starts with ' before a formula character gets one more.
  EXPECT_EQ(CsvLine({"'=x", "''-x"}), "\"''=x\",\"'''-x\"\r\n");
}

TEST(CsvLineTest, ImportGivesBackWhatExportWrote) {
  const std::vector<std::string> values = {"=1+2", "+x",     "-x",  "@x",  "\tx", "\rx",   "'=x",
                                           "''@x", "'hello", "'",   "''",  "-5",  "plain", "=",
                                           "-",    "=-1",    "a,b", "'-1", "-1.", "1.5"};
  CsvReader reader;
  reader.Feed(CsvLine(values));
  reader.Finish();
  std::optional<std::vector<std::string>> row = reader.Next();
  ASSERT_TRUE(row);
  for (std::string& cell : *row) cell = CsvCellValue(std::move(cell));
  EXPECT_EQ(*row, values);
  // What a spreadsheet user typed as '=x is the value =x; a lone quote stays.
  EXPECT_EQ(CsvCellValue("'=x"), "=x");
  EXPECT_EQ(CsvCellValue("'hello"), "'hello");
  EXPECT_EQ(CsvCellValue("'-5"), "'-5");
}

}  // namespace
}  // namespace campaignd::admin::api
