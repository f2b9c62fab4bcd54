#include "admin/cli/table.h"

#include <gtest/gtest.h>

namespace campaignd::admin::cli {
namespace {

TEST(TableTest, PadsColumnsToTheWidestCellWithoutTrailingBlanks) {
  Table table({"ID", "NAME", "KIND"});
  table.AddRow({"100", "Customers", "standard"});
  table.AddRow({"7", "VIP", ""});
  EXPECT_EQ(table.Render(),
            "ID   NAME       KIND\n"
            "100  Customers  standard\n"
            "7    VIP\n");
  EXPECT_EQ(table.rows(), 2u);
}

TEST(TableTest, CountsCodePointsNotBytesAndIndents) {
  Table table({"NAME", "X"});
  table.AddRow({"Jürgen", "1"});
  table.AddRow({"Jo", "2"});
  EXPECT_EQ(table.Render("  "),
            "  NAME    X\n"
            "  Jürgen  1\n"
            "  Jo      2\n");
  EXPECT_EQ(DisplayWidth("Jürgen"), 6u);
}

TEST(TableTest, ControlCharactersCannotReachTheTerminal) {
  Table table({"REPLY"});
  table.AddRow({"550 no\r\n\x1b[2Jgone"});
  EXPECT_EQ(table.Render(), "REPLY\n550 no   [2Jgone\n");
}

TEST(CellTextTest, ShowsEachKindOfValue) {
  EXPECT_EQ(CellText(Json("text")), "text");
  EXPECT_EQ(CellText(Json(42)), "42");
  EXPECT_EQ(CellText(Json(true)), "true");
  EXPECT_EQ(CellText(Json()), "-");
  EXPECT_EQ(CellText(Json::array({100, 200})), "100,200");
  EXPECT_EQ(CellText(Json::array()), "");
  EXPECT_EQ(CellText(Json{{"firstname", "John"}, {"orders", "3"}}),
            R"({"firstname":"John","orders":"3"})");
}

TEST(RenderPageTest, ShowsTheChosenMembersOfEachItem) {
  const Json page = Json::parse(R"({"items": [
      {"id": 1, "name": "Shoe Store", "transport": "smtp://u:***@relay:25", "extra": 9},
      {"id": 2, "name": "Book Shop"}], "next_cursor": null})");
  const std::vector<Column> columns = {{"ID", "id"}, {"NAME", "name"}, {"TRANSPORT", "transport"}};
  EXPECT_EQ(RenderPage(page, columns),
            "ID  NAME        TRANSPORT\n"
            "1   Shoe Store  smtp://u:***@relay:25\n"
            "2   Book Shop   -\n");
}

TEST(RenderPageTest, AnEmptyPageSaysSo) {
  const std::vector<Column> columns = {{"ID", "id"}};
  EXPECT_EQ(RenderPage(Json::parse(R"({"items": []})"), columns), "(none)\n");
  EXPECT_EQ(RenderPage(Json::parse("[]"), columns), "(none)\n");
}

TEST(RenderRecordTest, KeysInTheAnswersOrderAndNestedTablesLast) {
  const Json list = Json::parse(R"({"id": 100, "name": "Customers", "kind": "standard",
      "fields": [{"name": "firstname", "type": "text"}, {"name": "orders", "type": "int"}],
      "test": false})");
  EXPECT_EQ(RenderRecord(list),
            "id    100\n"
            "name  Customers\n"
            "kind  standard\n"
            "test  false\n"
            "fields:\n"
            "  name       type\n"
            "  firstname  text\n"
            "  orders     int\n");
}

TEST(RenderRecordTest, AScalarAnswerIsOneLine) {
  EXPECT_EQ(RenderRecord(Json("ok")), "ok\n");
}

}  // namespace
}  // namespace campaignd::admin::cli
