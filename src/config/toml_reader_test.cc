#include "config/toml_reader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace campaignd::config {
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

class ReadTextFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("read_text_file_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path File(const std::string& name, std::size_t bytes) {
    const std::filesystem::path path = dir_ / name;
    std::ofstream(path) << std::string(bytes, 'x');
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(ReadTextFileTest, ReadsAFileOfAtMostMaxBytes) {
  EXPECT_EQ(ReadTextFile(File("empty", 0), 10).value(), "");
  EXPECT_EQ(ReadTextFile(File("ten", 10), 10).value(), std::string(10, 'x'));
  const std::size_t big = 3 * kReadChunkBytes + 7;  // several chunks
  EXPECT_EQ(ReadTextFile(File("big", big), big).value(), std::string(big, 'x'));
}

TEST_F(ReadTextFileTest, RefusesAFileOverMaxBytes) {
  const std::filesystem::path eleven = File("eleven", 11);
  EXPECT_EQ(ReadTextFile(eleven, 10).status().message(),
            "cannot read " + eleven.string() + ": larger than 10 bytes");
  // A sparse file of 4 GiB is refused after reading max_bytes + 1 bytes.
  const std::filesystem::path huge = dir_ / "huge";
  std::ofstream(huge).close();
  std::filesystem::resize_file(huge, std::uintmax_t{4} << 30);
  EXPECT_EQ(ReadTextFile(huge, kReadChunkBytes).status().message(),
            "cannot read " + huge.string() + ": larger than " + std::to_string(kReadChunkBytes) +
                " bytes");
}

TEST_F(ReadTextFileTest, RefusesWhatIsNotARegularFile) {
  // /dev/zero never ends; a FIFO would block the open until a writer comes.
  EXPECT_EQ(ReadTextFile("/dev/zero", 1024).status().message(),
            "cannot read /dev/zero: not a regular file");
  EXPECT_EQ(ReadTextFile(dir_, 1024).status().message(),
            "cannot read " + dir_.string() + ": not a regular file");
  const std::filesystem::path fifo = dir_ / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(ReadTextFile(fifo, 1024).status().message(),
            "cannot read " + fifo.string() + ": not a regular file");
  const auto missing = ReadTextFile(dir_ / "missing", 1024);
  EXPECT_TRUE(missing.status().IsInvalidArgument());
  EXPECT_EQ(missing.status().message(),
            "cannot read " + (dir_ / "missing").string() + ": No such file or directory");
}

TEST_F(ReadTextFileTest, UnreadableFileGivesTheSystemsReason) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  const std::filesystem::path secret = File("secret", 3);
  std::filesystem::permissions(secret, std::filesystem::perms::none);
  EXPECT_EQ(ReadTextFile(secret, 10).status().message(),
            "cannot read " + secret.string() + ": Permission denied");
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
}  // namespace campaignd::config
