#include "render/dkim_canonical.h"

#include <gtest/gtest.h>

#include <vector>

namespace campaignd::render {
namespace {

// RFC 6376 §3.4.6, the example message.
constexpr std::string_view kExample =
    "A: X\r\n"
    "B : Y\t\r\n"
    "\tZ  \r\n"
    "\r\n"
    " C \r\n"
    "D \t E\r\n"
    "\r\n"
    "\r\n";

TEST(DkimCanonicalTest, Rfc6376Example) {
  Result<MessageParts> parts = SplitMessage(kExample);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_EQ(parts->fields.size(), 2u);
  EXPECT_EQ(parts->fields[0].name, "A");
  EXPECT_EQ(parts->fields[1].name, "B");
  EXPECT_EQ(parts->fields[1].raw, "B : Y\t\r\n\tZ  ");
  EXPECT_EQ(RelaxedHeader(parts->fields[0].raw), "a:X\r\n");
  EXPECT_EQ(RelaxedHeader(parts->fields[1].raw), "b:Y Z\r\n");
  EXPECT_EQ(RelaxedBody(parts->body), " C\r\nD E\r\n");
}

TEST(DkimCanonicalTest, RelaxedHeaderDetails) {
  EXPECT_EQ(RelaxedHeader("Subject:   hello \t world  "), "subject:hello world\r\n");
  EXPECT_EQ(RelaxedHeader("To:"), "to:\r\n");
  EXPECT_EQ(RelaxedHeader("X-Y:\r\n  folded\r\n\tvalue"), "x-y:folded value\r\n");
  EXPECT_EQ(RelaxedHeader("DKIM-Signature: a=1;\r\n b="), "dkim-signature:a=1; b=\r\n");
}

TEST(DkimCanonicalTest, RelaxedBodyDetails) {
  EXPECT_EQ(RelaxedBody(""), "");
  EXPECT_EQ(RelaxedBody("\r\n\r\n"), "");
  EXPECT_EQ(RelaxedBody("no final crlf"), "no final crlf\r\n");
  EXPECT_EQ(RelaxedBody("a  \r\n\r\n b\t\r\n \r\n"), "a\r\n\r\n b\r\n");
  // Lines already canonical are copied whole; the others byte by byte.
  EXPECT_EQ(RelaxedBody("one two\r\n three\r\n"), "one two\r\n three\r\n");
  EXPECT_EQ(RelaxedBody("x\r\n \t \r\n\r\ny \r\n"), "x\r\n\r\n\r\ny\r\n")
      << "blank lines before a non-empty one are kept, as empty lines";
  EXPECT_EQ(RelaxedBody("a\tb  c\r\n\t\r\n"), "a b c\r\n");
  EXPECT_EQ(RelaxedBody("x \r\n"), "x\r\n");
}

// RFC 6376 §3.4.4 spelled out line by line, independent of
// RelaxedBodyStream: the oracle the stream is checked against.
std::string OracleRelaxedBody(std::string_view body) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t end = body.find("\r\n", pos);
    std::string_view raw = body.substr(pos, end == std::string_view::npos ? end : end - pos);
    std::string line;  // WSP runs -> one SP
    for (char c : raw) {
      bool wsp = c == ' ' || c == '\t';
      if (wsp && !line.empty() && line.back() == ' ') continue;
      line.push_back(wsp ? ' ' : c);
    }
    if (!line.empty() && line.back() == ' ') line.pop_back();  // trailing WSP
    lines.push_back(line);
    pos = end == std::string_view::npos ? body.size() : end + 2;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();  // empty lines at the end
  std::string out;
  for (const std::string& line : lines) out += line + "\r\n";
  return out;
}

// The canonical body of `body` fed as the given pieces.
std::string Streamed(const std::vector<std::string_view>& pieces) {
  std::string out;
  RelaxedBodyStream stream([&out](std::string_view piece) { out += piece; });
  for (std::string_view piece : pieces) stream.Update(piece);
  stream.Finish();
  return out;
}

TEST(DkimCanonicalTest, StreamEqualsTheOracleWhereverTheBodyIsSplit) {
  const std::vector<std::string> bodies = {
      "",
      "\r\n",
      "\r\n\r\n\r\n",
      " \t \r\n\t\r\n  \r\n",
      "no final crlf",
      "trailing space  ",
      "trailing tab\t",
      "a  b\t\tc \t d\r\n",
      " leading space\r\n\tleading tab\r\n",
      "x\r\n\r\n\r\ny \r\n\r\n \r\n",
      "one two\r\n three\r\n",
      "a\r\n b\r\nc d\r\ne f",
      "a\r\n b",
      "a\r\n b\r\n",
      "a\r\n \r\n\r\n",
      "bare\rcr\r\nbare\nlf\r\n",
      "cr at the end\r",
      "space then cr \r",
      "\r",
      "\r\r\n\n\r",
      "a \rb\r\n",
      "=\r\nsoft break=\r\n line\r\n\r\n",
      "tabs\t\t\r\n\r\nand  spaces  \r\n\r\n\r\nend",
      std::string(kExample),
  };
  for (const std::string& body : bodies) {
    const std::string want = OracleRelaxedBody(body);
    EXPECT_EQ(RelaxedBody(body), want) << "body: " << body;
    EXPECT_EQ(Streamed({}), "");
    for (std::size_t i = 0; i <= body.size(); ++i) {
      std::string_view b = body;
      EXPECT_EQ(Streamed({b.substr(0, i), b.substr(i)}), want) << "split at " << i << ": " << body;
      for (std::size_t j = i; j <= body.size(); ++j) {
        ASSERT_EQ(Streamed({b.substr(0, i), b.substr(i, j - i), "", b.substr(j)}), want)
            << "split at " << i << " and " << j << ": " << body;
      }
    }
    std::vector<std::string_view> bytes;  // one byte per piece
    for (std::size_t i = 0; i < body.size(); ++i) {
      bytes.push_back(std::string_view(body).substr(i, 1));
    }
    EXPECT_EQ(Streamed(bytes), want) << "byte by byte: " << body;
  }
}

TEST(DkimCanonicalTest, ManyEmptyLinesBeforeContentAreKept) {
  std::string body = std::string(100, ' ') + "\r\n";
  for (int i = 0; i < 40; ++i) body += "\r\n";
  body += "end\r\n";
  std::string want;
  for (int i = 0; i < 41; ++i) want += "\r\n";
  want += "end\r\n";
  EXPECT_EQ(RelaxedBody(body), want);
  EXPECT_EQ(OracleRelaxedBody(body), want);
}

TEST(DkimCanonicalTest, SplitWithoutBody) {
  Result<MessageParts> parts = SplitMessage("From: a@b.example\r\nTo: c@d.example\r\n");
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->fields.size(), 2u);
  EXPECT_EQ(parts->body, "");
  Result<MessageParts> empty_body = SplitMessage("From: a@b.example\r\n\r\n");
  ASSERT_TRUE(empty_body.ok());
  EXPECT_EQ(empty_body->body, "");
}

TEST(DkimCanonicalTest, SplitRefusesBrokenHeaders) {
  EXPECT_TRUE(SplitMessage(" continuation first\r\n\r\n").status().IsInvalidArgument());
  EXPECT_TRUE(SplitMessage("no colon here\r\n\r\n").status().IsInvalidArgument());
}

}  // namespace
}  // namespace campaignd::render
