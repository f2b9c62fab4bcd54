#include "render/body_encoding.h"

#include <gtest/gtest.h>

#include <string>

namespace campaignd::render {
namespace {

// Decodes quoted-printable (RFC 2045 §6.7) to check the encoder round-trips.
std::string DecodeQp(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '=') {
      out.push_back(s[i]);
    } else if (s.substr(i + 1, 2) == "\r\n") {
      i += 2;
    } else {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    }
  }
  return out;
}

void ExpectLinesAtMost(std::string_view s, std::size_t max) {
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t end = s.find("\r\n", pos);
    ASSERT_NE(end, std::string_view::npos) << "no final CRLF";
    EXPECT_LE(end - pos, max) << s.substr(pos, end - pos);
    pos = end + 2;
  }
}

TEST(NormalizeLineEndsTest, EveryLineEndBecomesCrlf) {
  EXPECT_EQ(NormalizeLineEnds("a\nb\rc\r\nd"), "a\r\nb\r\nc\r\nd\r\n");
  EXPECT_EQ(NormalizeLineEnds("\n\n"), "\r\n\r\n");
  EXPECT_EQ(NormalizeLineEnds("\r\r\n\n\r"), "\r\n\r\n\r\n\r\n");
  EXPECT_EQ(NormalizeLineEnds("no end"), "no end\r\n");
  EXPECT_EQ(NormalizeLineEnds(""), "");
  EXPECT_EQ(NormalizeLineEnds("\r\r\n"), "\r\n\r\n");
  EXPECT_EQ(NormalizeLineEnds("x\r\n"), "x\r\n");
  EXPECT_EQ(NormalizeLineEnds(""), "");
}

TEST(Is7bitTest, AsciiWithShortLinesOnly) {
  EXPECT_TRUE(Is7bit("Hello\tworld\r\n"));
  EXPECT_TRUE(Is7bit(""));
  EXPECT_TRUE(Is7bit(std::string(998, 'x') + "\r\n"));
  EXPECT_FALSE(Is7bit(std::string(999, 'x') + "\r\n"));
  EXPECT_FALSE(Is7bit("Grüße\r\n"));
  EXPECT_FALSE(Is7bit(std::string("a\0b\r\n", 5)));
  EXPECT_FALSE(Is7bit("bell\a\r\n"));
  EXPECT_FALSE(Is7bit("bare\rcr\r\n"));
}

TEST(QuotedPrintableTest, EncodesWhatMustBeEncoded) {
  EXPECT_EQ(EncodeQuotedPrintable("a=b\r\n"), "a=3Db\r\n");
  EXPECT_EQ(EncodeQuotedPrintable("Grüße\r\n"), "Gr=C3=BC=C3=9Fe\r\n");
  EXPECT_EQ(EncodeQuotedPrintable("trailing \r\ntab\t\r\n"), "trailing=20\r\ntab=09\r\n");
  EXPECT_EQ(EncodeQuotedPrintable("in side\r\n"), "in side\r\n");
  EXPECT_EQ(EncodeQuotedPrintable(std::string("\0\x7f", 2)), "=00=7F");
}

TEST(QuotedPrintableTest, SoftBreaksKeepLinesAt76) {
  std::string exact(76, 'a');
  EXPECT_EQ(EncodeQuotedPrintable(exact + "\r\n"), exact + "\r\n");
  std::string over(77, 'a');
  EXPECT_EQ(EncodeQuotedPrintable(over + "\r\n"), std::string(75, 'a') + "=\r\naa\r\n");
  // Neither a triplet nor a UTF-8 sequence is split: "=C3=BC" does not fit
  // after 72 literals and before a soft break.
  std::string text = std::string(72, 'a') + "üb\r\n";
  EXPECT_EQ(EncodeQuotedPrintable(text), std::string(72, 'a') + "=\r\n=C3=BCb\r\n");
  // As the last token of a line it may use all 76 characters.
  EXPECT_EQ(EncodeQuotedPrintable(std::string(70, 'a') + "ü\r\n"),
            std::string(70, 'a') + "=C3=BC\r\n");
}

TEST(QuotedPrintableTest, RoundTripsAndKeepsLimits) {
  std::string text;
  for (int i = 0; i < 3000; ++i) text += (i % 7 == 0) ? "ü€" : (i % 11 == 0 ? "= \t" : "x");
  text = NormalizeLineEnds(text + "\n\n.\nend  \n" + std::string(2000, '=') + "\n");
  std::string encoded = EncodeQuotedPrintable(text);
  ExpectLinesAtMost(encoded, kMaxEncodedLineChars);
  EXPECT_EQ(DecodeQp(encoded), text);
  for (std::size_t pos = 0; (pos = encoded.find("\r\n", pos)) != std::string::npos; pos += 2) {
    if (pos == 0) continue;
    EXPECT_NE(encoded[pos - 1], ' ') << "unencoded space before a line end";
    EXPECT_NE(encoded[pos - 1], '\t');
    // After a soft break, no line starts inside a UTF-8 sequence.
    if (encoded[pos - 1] == '=' && encoded[pos + 2] == '=') {
      int byte = std::stoi(encoded.substr(pos + 3, 2), nullptr, 16);
      EXPECT_FALSE(byte >= 0x80 && byte <= 0xBF) << encoded.substr(pos - 10, 20);
    }
  }
}

TEST(Base64Test, MatchesRfc4648Vectors) {
  EXPECT_EQ(EncodeBase64(""), "");
  EXPECT_EQ(EncodeBase64("f"), "Zg==");
  EXPECT_EQ(EncodeBase64("fo"), "Zm8=");
  EXPECT_EQ(EncodeBase64("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, LinesOf76) {
  std::string data(57 * 3 + 1, '\xff');
  std::string lines = EncodeBase64Lines(data);
  ExpectLinesAtMost(lines, 76);
  EXPECT_EQ(lines.substr(0, 78), std::string(76, '/') + "\r\n");
  EXPECT_TRUE(lines.ends_with("\r\n/w==\r\n"));
  EXPECT_EQ(EncodeBase64Lines(""), "");
}

TEST(Utf8SequenceBytesTest, WholeSequencesAndStrayBytes) {
  std::string s = "aü€😀";
  EXPECT_EQ(Utf8SequenceBytes(s, 0), 1u);
  EXPECT_EQ(Utf8SequenceBytes(s, 1), 2u);
  EXPECT_EQ(Utf8SequenceBytes(s, 3), 3u);
  EXPECT_EQ(Utf8SequenceBytes(s, 6), 4u);
  EXPECT_EQ(Utf8SequenceBytes("\x80x", 0), 1u);     // stray continuation byte
  EXPECT_EQ(Utf8SequenceBytes("\xE2\x82", 0), 2u);  // truncated sequence
  EXPECT_EQ(Utf8SequenceBytes("\xC3"
                              "a",
                              0),
            1u);  // lead byte without continuation
}

}  // namespace
}  // namespace campaignd::render
