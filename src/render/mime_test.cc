// Golden files (tests/golden/NAME.in.json -> NAME.eml.ref, byte for byte;
// regenerate: see tests/golden/README.md) and the MIME builder's parts.
#include "render/mime.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>

#include "core/limits.h"
#include "render/golden_case.h"

namespace campaignd::render {
namespace {

bool Regenerating() { return std::getenv("CAMPAIGND_REGENERATE_GOLDEN") != nullptr; }

std::vector<std::string> SplitCrlf(std::string_view s) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t end = std::min(s.find("\r\n", pos), s.size());
    lines.emplace_back(s.substr(pos, end - pos));
    pos = end + 2;
  }
  return lines;
}

// "line N: want ... / got ..." for the first line that differs.
std::string FirstDifference(std::string_view want, std::string_view got) {
  std::vector<std::string> a = SplitCrlf(want), b = SplitCrlf(got);
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    std::string x = i < a.size() ? a[i] : "<none>", y = i < b.size() ? b[i] : "<none>";
    if (x != y) return "line " + std::to_string(i + 1) + "\n want: " + x + "\n got:  " + y;
  }
  return "line ends differ";
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, RendersExactlyTheReference) {
  Result<GoldenCase> c = LoadGoldenCase(GetParam());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Result<RenderedMessage> rendered = RenderMessage(c->input);
  ASSERT_TRUE(rendered.ok()) << rendered.status().ToString();
  const std::string& bytes = rendered->bytes;
  if (Regenerating()) {
    std::ofstream(c->reference, std::ios::binary) << bytes;
    return;
  }
  Result<std::string> want = ReadFile(c->reference);
  ASSERT_TRUE(want.ok()) << want.status().ToString() << " (regenerate: tests/golden/README.md)";
  EXPECT_TRUE(*want == bytes) << GetParam() << ": " << FirstDifference(*want, bytes);
}

TEST_P(GoldenTest, KeepsTheLineRules) {
  Result<GoldenCase> c = LoadGoldenCase(GetParam());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Result<RenderedMessage> rendered = RenderMessage(c->input);
  ASSERT_TRUE(rendered.ok()) << rendered.status().ToString();
  std::string_view bytes = rendered->bytes;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\r') {
      ASSERT_EQ(bytes.substr(i, 2), "\r\n") << "bare CR at " << i;
    }
    if (bytes[i] == '\n') {
      ASSERT_TRUE(i > 0 && bytes[i - 1] == '\r') << "bare LF at " << i;
    }
    ASSERT_NE(bytes[i], '\0') << "NUL at " << i;
  }
  ASSERT_TRUE(bytes.ends_with("\r\n"));
  bool in_headers = true;
  for (const std::string& line : SplitCrlf(bytes)) {
    EXPECT_LE(line.size(), limits::kMaxLineBytes);
    if (line.empty()) in_headers = false;
    // Header lines fold within 78 unless one unbreakable token is longer.
    if (in_headers && line.size() > 78) {
      std::size_t token = line[0] == ' ' ? 1 : line.find(": ") + 2;
      EXPECT_EQ(line.find(' ', token), std::string::npos) << line;
    }
  }
}

std::string CaseName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

INSTANTIATE_TEST_SUITE_P(Golden, GoldenTest, ::testing::ValuesIn(GoldenCaseNames()), CaseName);

TEST(GoldenSetTest, HasTheRequiredCases) {
  std::vector<std::string> names = GoldenCaseNames();
  std::set<std::string> have(names.begin(), names.end());
  for (const char* required : {"text_only_ascii", "text_html_umlauts", "long_lines_qp",
                               "attachments", "idn_recipient", "header_injection"}) {
    EXPECT_TRUE(have.contains(required)) << required << ".in.json missing in " << GoldenDir();
  }
}

TEST(BoundaryMakerTest, SeededIsRepeatableAndDistinct) {
  BoundaryMaker a("seed"), b("seed"), c("other");
  std::string a1 = *a.Next(), a2 = *a.Next();
  EXPECT_EQ(a1, *b.Next());
  EXPECT_NE(a1, a2);
  EXPECT_NE(a1, *c.Next());
  EXPECT_TRUE(a1.starts_with("=_"));
  EXPECT_EQ(a1.size(), 34u);
}

TEST(BoundaryMakerTest, UnseededIsRandom) {
  BoundaryMaker a(""), b("");
  EXPECT_NE(*a.Next(), *b.Next());
}

TEST(AttachmentPartTest, SanitizesContentType) {
  auto type = [](std::string ct) { return AttachmentPart({"a.bin", ct, "x"}).content_type; };
  EXPECT_EQ(type("application/pdf"), "application/pdf");
  EXPECT_EQ(type(" Image/PNG ; name=x"), "image/png");
  EXPECT_EQ(type("application/vnd.ms-excel"), "application/vnd.ms-excel");
  EXPECT_EQ(type(""), "application/octet-stream");
  EXPECT_EQ(type("pdf"), "application/octet-stream");
  EXPECT_EQ(type("text/html\r\nBcc: x@evil.example"), "application/octet-stream");
  EXPECT_EQ(type("multipart/mixed"), "application/octet-stream");
  EXPECT_EQ(type("message/rfc822"), "application/octet-stream");
  EXPECT_EQ(type("text/\"x\""), "application/octet-stream");
}

TEST(AttachmentPartTest, FileNameFormsAndSanitizing) {
  auto disposition = [](std::string name) { return AttachmentPart({name, "a/b", ""}).disposition; };
  EXPECT_EQ(disposition("report 2024.pdf"), "attachment; filename=\"report 2024.pdf\"");
  EXPECT_EQ(disposition("C:\\Users\\x\\a.pdf"), "attachment; filename=\"a.pdf\"");
  EXPECT_EQ(disposition("../../etc/passwd"), "attachment; filename=\"passwd\"");
  EXPECT_EQ(disposition("a\r\nb.txt"), "attachment; filename=\"ab.txt\"");
  EXPECT_EQ(disposition(""), "attachment; filename=\"attachment\"");
  EXPECT_EQ(disposition("dir/"), "attachment; filename=\"attachment\"");
  EXPECT_EQ(disposition("say \"hi\".txt"), "attachment; filename*=utf-8''say%20%22hi%22.txt");
  EXPECT_EQ(disposition("Übersicht.pdf"), "attachment; filename*=utf-8''%C3%9Cbersicht.pdf");
  std::string long_name = std::string(70, 'a') + ".pdf";
  EXPECT_EQ(disposition(long_name), "attachment; filename*0*=utf-8''" + std::string(60, 'a') +
                                        "; filename*1*=" + std::string(10, 'a') + ".pdf");
}

TEST(AttachmentPartTest, Rfc2231SegmentsNeverSplitUtf8) {
  std::string name;
  for (int i = 0; i < 40; ++i) name += "€";
  std::string d = AttachmentPart({name, "a/b", ""}).disposition;
  for (std::size_t pos = d.find("*="); pos != std::string::npos; pos = d.find("*=", pos + 1)) {
    std::size_t start = d.find_first_not_of("utf-8'", pos + 2);
    std::size_t end = std::min(d.find(';', start), d.size());
    std::string seg = d.substr(start, end - start);
    EXPECT_LE(seg.size(), 60u);
    EXPECT_EQ(seg.size() % 9, 0u) << seg;  // whole %E2%82%AC triplets
  }
}

TEST(TextPartTest, SevenBitOrQuotedPrintable) {
  MimePart ascii = TextPart("plain", "Hello\nworld");
  EXPECT_EQ(ascii.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(ascii.transfer_encoding, "7bit");
  EXPECT_EQ(ascii.encoded_body, "Hello\r\nworld\r\n");
  MimePart utf8 = TextPart("html", "<p>Grüße</p>");
  EXPECT_EQ(utf8.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(utf8.transfer_encoding, "quoted-printable");
  EXPECT_EQ(utf8.encoded_body, "<p>Gr=C3=BC=C3=9Fe</p>\r\n");
  EXPECT_EQ(TextPart("plain", std::string(999, 'x')).transfer_encoding, "quoted-printable");
}

TEST(SerializeMessageTest, NestsMultipartsWithDelimiters) {
  MimePart root = MultipartPart(
      "mixed", {MultipartPart("alternative", {TextPart("plain", "a"), TextPart("html", "b")}),
                AttachmentPart({"x.bin", "application/octet-stream", "xyz"})});
  BoundaryMaker boundaries("t");
  Result<std::string> out = SerializeMessage("X-Top: 1\r\n", root, boundaries);
  ASSERT_TRUE(out.ok());
  BoundaryMaker again("t");
  std::string outer = *again.Next(), inner = *again.Next();
  std::string want =
      "X-Top: 1\r\nContent-Type: multipart/mixed; boundary=\"" + outer + "\"\r\n\r\n" + "--" +
      outer + "\r\nContent-Type: multipart/alternative;\r\n boundary=\"" + inner + "\"\r\n\r\n--" +
      inner +
      "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\na\r\n"
      "--" +
      inner +
      "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nb\r\n"
      "--" +
      inner + "--\r\n--" + outer +
      "\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
      "Content-Disposition: attachment; filename=\"x.bin\"\r\n\r\neHl6\r\n--" +
      outer + "--\r\n";
  EXPECT_EQ(*out, want);
}

TEST(SerializeMessageTest, TheBodySinkGetsExactlyTheBody) {
  MimePart root = MultipartPart(
      "mixed", {MultipartPart("alternative", {TextPart("plain", "a "), TextPart("html", "")}),
                AttachmentPart({"x.bin", "application/octet-stream", std::string(200, 'z')})});
  BoundaryMaker boundaries("s");
  std::string body;
  int pieces = 0;
  Result<std::string> out =
      SerializeMessage("X-Top: 1\r\n", root, boundaries, [&](std::string_view piece) {
        body += piece;
        ++pieces;
      });
  ASSERT_TRUE(out.ok());
  std::size_t end_of_header = out->find("\r\n\r\n");
  ASSERT_NE(end_of_header, std::string::npos);
  EXPECT_EQ(body, out->substr(end_of_header + 4));
  EXPECT_GT(pieces, 1) << "pieces as they are written, not the whole at the end";

  MimePart single = TextPart("plain", "only\n");
  BoundaryMaker unused("u");
  std::string single_body;
  out = SerializeMessage("X-Top: 1\r\n", single, unused,
                         [&](std::string_view piece) { single_body += piece; });
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(single_body, "only\r\n");
  EXPECT_TRUE(out->ends_with("\r\n\r\nonly\r\n"));
}

TEST(SerializeMessageTest, EmptyBodyInMultipartGetsItsOwnLine) {
  MimePart root = MultipartPart("mixed", {TextPart("plain", ""), AttachmentPart({"x", "a/b", ""})});
  BoundaryMaker boundaries("e");
  std::string out = *SerializeMessage("", root, boundaries);
  EXPECT_NE(out.find("Content-Transfer-Encoding: 7bit\r\n\r\n\r\n--"), std::string::npos) << out;
}

}  // namespace
}  // namespace campaignd::render
