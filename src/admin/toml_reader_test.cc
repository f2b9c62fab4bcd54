#include "admin/toml_reader.h"

#include <gtest/gtest.h>

namespace campaignd::admin {
namespace {

toml::table Parse(std::string_view text) {
  auto table = ParseTomlText(text, "t.toml");
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  return table.ok() ? std::move(*table) : toml::table{};  // a copy would lose source lines
}

TEST(TomlReaderTest, SyntaxErrorNamesFileLineAndColumn) {
  auto table = ParseTomlText("a = 1\nb = = 2\n", "bad.toml");
  ASSERT_FALSE(table.ok());
  EXPECT_TRUE(table.status().IsInvalidArgument());
  EXPECT_EQ(table.status().message().rfind("bad.toml:2:", 0), 0u) << table.status().message();
}

TEST(TomlReaderTest, MissingFileIsReported) {
  auto table = ParseTomlFile("/nonexistent/dir/x.toml");
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().message(),
            "cannot read /nonexistent/dir/x.toml: No such file or directory");
}

TEST(TomlReaderTest, ReadsTypedValues) {
  const toml::table t = Parse("s = \"x\"\ni = 7\nb = true\na = [\"p\", \"q\"]\nids = [1, 2]\n");
  Diagnostics d("t.toml");
  TableReader r(t, d, "[t]");
  EXPECT_EQ(r.Text("s"), "x");
  EXPECT_EQ(r.Integer("i"), 7);
  EXPECT_EQ(r.Id("i"), 7);
  EXPECT_EQ(r.Bool("b"), true);
  EXPECT_EQ(r.TextArray("a"), (std::vector<std::string>{"p", "q"}));
  EXPECT_EQ(r.IdArray("ids"), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(r.Text("absent"), std::nullopt);
  r.RejectUnknownKeys();
  EXPECT_TRUE(d.empty()) << d.ToStatus().message();
}

TEST(TomlReaderTest, WrongTypesAreReportedAtTheirLine) {
  const toml::table t = Parse("s = 1\n\ni = \"7\"\nid = -3\nb = \"yes\"\na = [1]\nids = [0]\n");
  Diagnostics d("t.toml");
  TableReader r(t, d, "[t]");
  EXPECT_EQ(r.Text("s"), std::nullopt);
  EXPECT_EQ(r.Integer("i"), std::nullopt);
  EXPECT_EQ(r.Id("id"), std::nullopt);
  EXPECT_EQ(r.Bool("b"), std::nullopt);
  EXPECT_EQ(r.TextArray("a"), std::nullopt);
  EXPECT_EQ(r.IdArray("ids"), std::nullopt);
  EXPECT_EQ(d.messages(), (std::vector<std::string>{
                              "t.toml:1: s: expected a string",
                              "t.toml:3: i: expected an integer",
                              "t.toml:4: id: expected a positive integer ID",
                              "t.toml:5: b: expected true or false",
                              "t.toml:6: a: expected an array of strings",
                              "t.toml:7: ids: expected an array of positive integer IDs",
                          }));
}

TEST(TomlReaderTest, MissingRequiredKeyIsReportedAtTheTable) {
  const toml::table t = Parse("x = 1\n[section]\nother = 2\n");
  Diagnostics d("t.toml");
  TableReader r(*t["section"].as_table(), d, "[section]");
  r.Node("other");
  EXPECT_EQ(r.Text("name", /*required=*/true), std::nullopt);
  EXPECT_EQ(r.Id("id"), std::nullopt);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d.messages()[0], "t.toml:2: name: missing (a string is required)");
  EXPECT_EQ(d.messages()[1], "t.toml:2: id: missing (a positive integer ID is required)");
}

TEST(TomlReaderTest, UnknownKeysAreRefusedWithAHint) {
  const toml::table t = Parse("name = \"a\"\nlsit = 3\ncompletely_else = 1\n");
  Diagnostics d("t.toml");
  TableReader r(t, d, "[[client]]");
  r.Text("name");
  r.Integer("list");
  r.RejectUnknownKeys();
  EXPECT_EQ(d.messages(), (std::vector<std::string>{
                              "t.toml:2: unknown key 'lsit' in [[client]] (did you mean 'list'?)",
                              "t.toml:3: unknown key 'completely_else' in [[client]]",
                          }));
}

TEST(TomlReaderTest, ClosestWordNeedsASmallDistance) {
  const std::set<std::string, std::less<>> known = {"lease", "listen", "lifetime"};
  EXPECT_EQ(ClosestWord("lese", known), "lease");
  EXPECT_EQ(ClosestWord("lsiten", known), "listen");
  EXPECT_EQ(ClosestWord("database", known), "");
}

TEST(TomlReaderTest, DiagnosticsCapTheReport) {
  Diagnostics d("f");
  for (int i = 1; i <= 25; ++i) d.Add(i, "problem");
  const Status s = d.ToStatus();
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("f:20: problem\n... and 5 more"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("f:21:"), std::string::npos);
}

}  // namespace
}  // namespace campaignd::admin
