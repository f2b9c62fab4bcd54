#include "render/header_field.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/limits.h"

namespace campaignd::render {
namespace {

std::vector<std::string> Lines(std::string_view field) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < field.size()) {
    std::size_t end = field.find("\r\n", pos);
    EXPECT_NE(end, std::string_view::npos);
    if (end == std::string_view::npos) break;
    lines.emplace_back(field.substr(pos, end - pos));
    pos = end + 2;
  }
  return lines;
}

// Joins folded lines the way RFC 5322 §2.2.3 unfolds them.
std::string Unfold(std::string_view field) {
  std::string out;
  for (const std::string& line : Lines(field)) out += line;
  return out;
}

// True when the UTF-8 sequence lengths of `s` are all complete.
bool IsCompleteUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto lead = static_cast<unsigned char>(s[i]);
    std::size_t n = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    if (i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

// Minimal RFC 2047 decoder for one encoded word, enough to check round trips.
std::string DecodeWord(std::string_view word) {
  EXPECT_TRUE(word.starts_with("=?UTF-8?")) << word;
  EXPECT_TRUE(word.ends_with("?=")) << word;
  char kind = word[8];
  std::string_view payload = word.substr(10, word.size() - 12);
  std::string out;
  if (kind == 'Q') {
    for (std::size_t i = 0; i < payload.size(); ++i) {
      if (payload[i] == '_') {
        out.push_back(' ');
      } else if (payload[i] == '=') {
        out.push_back(
            static_cast<char>(std::stoi(std::string(payload.substr(i + 1, 2)), nullptr, 16)));
        i += 2;
      } else {
        out.push_back(payload[i]);
      }
    }
    return out;
  }
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  unsigned bits = 0, count = 0;
  for (char c : payload) {
    if (c == '=') break;
    bits = (bits << 6) | static_cast<unsigned>(kAlphabet.find(c));
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

std::string DecodeWords(std::string_view words, std::vector<std::string>* parts = nullptr) {
  std::string out;
  std::size_t pos = 0;
  while (pos < words.size()) {
    std::size_t end = std::min(words.find(' ', pos), words.size());
    std::string_view word = words.substr(pos, end - pos);
    EXPECT_LE(word.size(), kMaxEncodedWordChars) << word;
    std::string decoded = DecodeWord(word);
    EXPECT_TRUE(IsCompleteUtf8(decoded)) << word;
    if (parts) parts->push_back(decoded);
    out += decoded;
    pos = end + 1;
  }
  return out;
}

TEST(FoldFieldTest, ShortValueStaysOnOneLine) {
  EXPECT_EQ(*FoldField("Subject", "Hello world"), "Subject: Hello world\r\n");
  EXPECT_EQ(*FoldField("Subject", ""), "Subject:\r\n");
}

TEST(FoldFieldTest, FoldsAtSpacesWithinWidth) {
  std::string value;
  for (int i = 0; i < 40; ++i) value += "word" + std::to_string(i) + " ";
  value += "end";
  Result<std::string> field = FoldField("Subject", value);
  ASSERT_TRUE(field.ok());
  std::vector<std::string> lines = Lines(*field);
  ASSERT_GT(lines.size(), 3u);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_LE(lines[i].size(), limits::kFoldWidth) << lines[i];
    if (i > 0) {
      EXPECT_EQ(lines[i][0], ' ');
    }
  }
  EXPECT_EQ(Unfold(*field), "Subject: " + value);
}

TEST(FoldFieldTest, LongWordMakesALongLineButNeverOver998) {
  std::string word(300, 'x');
  Result<std::string> field = FoldField("X-Long", "a " + word + " b");
  ASSERT_TRUE(field.ok());
  EXPECT_EQ(*field, "X-Long: a\r\n " + word + "\r\n b\r\n");
  Result<std::string> too_long = FoldField("X-Long", std::string(1000, 'x'));
  EXPECT_TRUE(too_long.status().IsInvalidArgument());
}

TEST(FoldFieldTest, RefusesControlCharactersInValue) {
  EXPECT_TRUE(FoldField("Subject", "a\r\nBcc: x@y.example").status().IsInvalidArgument());
  EXPECT_TRUE(FoldField("Subject", "a\nb").status().IsInvalidArgument());
  EXPECT_TRUE(FoldField("Subject", "a\rb").status().IsInvalidArgument());
  EXPECT_TRUE(FoldField("Subject", std::string("a\0b", 3)).status().IsInvalidArgument());
  EXPECT_TRUE(FoldField("Subject", "a\tb").status().IsInvalidArgument());
  EXPECT_TRUE(FoldField("Subject", "a\x7f").status().IsInvalidArgument());
  EXPECT_TRUE(FoldField("Subject", "Grüße").ok());  // UTF-8 bytes are not controls
}

TEST(EncodeWordsTest, ChoosesQForMostlyAsciiAndBForTheRest) {
  EXPECT_EQ(EncodeWords("Your order for Müller is on its way", 75),
            "=?UTF-8?Q?Your_order_for_M=C3=BCller_is_on_its_way?=");
  // Q would be 29 characters, B is 24.
  EXPECT_EQ(EncodeWords("Grüße aus Köln", 75), "=?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=");
  EXPECT_EQ(EncodeWords("Привет", 75), "=?UTF-8?B?0J/RgNC40LLQtdGC?=");
  EXPECT_EQ(EncodeWords("", 75), "");
}

TEST(EncodeWordsTest, QUsesOnlyPhraseSafeCharacters) {
  std::string words = EncodeWords("a\"b(c)d,e;f<g>h@i.j:k?l=m_n ü", 75);
  std::string payload = words.substr(10, words.size() - 12);
  for (char c : payload) {
    bool ok = isalnum(static_cast<unsigned char>(c)) ||
              std::string_view("!*+-/=_").find(c) != std::string_view::npos;
    EXPECT_TRUE(ok) << c << " in " << words;
  }
  EXPECT_EQ(DecodeWords(words), "a\"b(c)d,e;f<g>h@i.j:k?l=m_n ü");
}

TEST(EncodeWordsTest, SplitsLongTextAtCodePointBoundaries) {
  for (std::string unit : {"ä", "€", "😀", "aé", "x"}) {
    std::string text;
    for (int i = 0; i < 97; ++i) text += unit;
    std::vector<std::string> parts;
    std::string words = EncodeWords(text, 40);
    EXPECT_EQ(DecodeWords(words, &parts), text) << unit;
    EXPECT_GT(parts.size(), 1u);
    EXPECT_LE(words.find(' '), 40u) << "first word longer than asked";
  }
}

TEST(UnstructuredFieldTest, PlainAsciiStaysReadable) {
  EXPECT_EQ(*UnstructuredField("Subject", "  Your order 42  "), "Subject: Your order 42\r\n");
}

TEST(UnstructuredFieldTest, NonAsciiIsEncodedAndFoldedWithin76) {
  std::string text =
      "Ihre Bestellung über 3 Artikel für Jörg Müller ist unterwegs – "
      "vielen Dank für Ihren Einkauf bei uns!";
  Result<std::string> field = UnstructuredField("Subject", text);
  ASSERT_TRUE(field.ok());
  std::vector<std::string> lines = Lines(*field);
  ASSERT_GT(lines.size(), 1u);
  for (const std::string& line : lines) EXPECT_LE(line.size(), limits::kFoldWidth) << line;
  std::string unfolded = Unfold(*field);
  ASSERT_TRUE(unfolded.starts_with("Subject: "));
  EXPECT_EQ(DecodeWords(unfolded.substr(9)), text);
}

TEST(UnstructuredFieldTest, LooksLikeEncodedWordIsEncodedItself) {
  std::string text = "=?UTF-8?Q?a=0D=0ABcc:_x@evil.example?=";
  Result<std::string> field = UnstructuredField("Subject", text);
  ASSERT_TRUE(field.ok());
  EXPECT_EQ(DecodeWords(Unfold(*field).substr(9)), text);
}

TEST(UnstructuredFieldTest, ControlsRemovedAndHugeWordEncoded) {
  EXPECT_EQ(*UnstructuredField("Subject", std::string("a\r\nBcc: x\0y\x7f", 12)),
            "Subject: aBcc: xy\r\n");
  std::string huge(5000, 'z');
  Result<std::string> field = UnstructuredField("Subject", huge);
  ASSERT_TRUE(field.ok());
  for (const std::string& line : Lines(*field)) EXPECT_LE(line.size(), limits::kFoldWidth);
  EXPECT_EQ(DecodeWords(Unfold(*field).substr(9)), huge);
}

}  // namespace
}  // namespace campaignd::render
