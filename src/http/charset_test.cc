#include "http/charset.h"

#include <gtest/gtest.h>

namespace campaignd::http {
namespace {

TEST(CharsetTest, ParsesLabelsAndAliases) {
  struct Row {
    const char* label;
    std::optional<Charset> want;
  };
  const Row rows[] = {
      {"utf-8", Charset::kUtf8},
      {"UTF-8", Charset::kUtf8},
      {"utf8", Charset::kUtf8},
      {" \"UTF-8\" ", Charset::kUtf8},
      {"ISO-8859-1", Charset::kIso88591},
      {"iso8859-1", Charset::kIso88591},
      {"Latin1", Charset::kIso88591},
      {"latin-1", Charset::kIso88591},
      {"windows-1252", Charset::kWindows1252},
      {"CP1252", Charset::kWindows1252},
      {"ebcdic", std::nullopt},
      {"", std::nullopt},
      {"utf-16", std::nullopt},
  };
  for (const Row& row : rows) EXPECT_EQ(ParseCharsetName(row.label), row.want) << row.label;
}

TEST(CharsetTest, ValidatesUtf8Strictly) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("J\xC3\xBCrgen \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("J\xFCrgen"));         // ISO-8859-1 ü
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate D800
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));              // lone continuation
}

TEST(CharsetTest, ConvertsIso88591) {
  EXPECT_EQ(ToUtf8("J\xFCrgen \xDF", Charset::kIso88591), "J\xC3\xBCrgen \xC3\x9F");
  EXPECT_EQ(ToUtf8("\x80", Charset::kIso88591), "\xC2\x80");  // C1 control stays C1
  EXPECT_EQ(ToUtf8("\xFF", Charset::kIso88591), "\xC3\xBF");
}

TEST(CharsetTest, ConvertsWindows1252HighRange) {
  EXPECT_EQ(ToUtf8("5 \x80", Charset::kWindows1252), "5 \xE2\x82\xAC");  // €
  EXPECT_EQ(ToUtf8("\x93Hi\x94", Charset::kWindows1252), "\xE2\x80\x9CHi\xE2\x80\x9D");
  EXPECT_EQ(ToUtf8("\x9F", Charset::kWindows1252), "\xC5\xB8");  // Ÿ
  EXPECT_EQ(ToUtf8("\x81", Charset::kWindows1252), "\xC2\x81");  // undefined
  EXPECT_EQ(ToUtf8("\xE4", Charset::kWindows1252), "\xC3\xA4");  // ä as Latin-1
}

TEST(CharsetTest, Utf8WithBadBytesGetsReplacementCharacter) {
  EXPECT_EQ(ToUtf8("a\xFF"
                   "b",
                   Charset::kUtf8),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(ToUtf8("\xC3\xBC", Charset::kUtf8), "\xC3\xBC");
}

TEST(CharsetTest, GuessingKeepsUtf8AndFallsBackToLatin1) {
  EXPECT_EQ(ToUtf8Guessing("M\xC3\xBCller"), "M\xC3\xBCller");
  EXPECT_EQ(ToUtf8Guessing("M\xFCller"), "M\xC3\xBCller");
  EXPECT_EQ(ToUtf8Guessing("\x80"), "\xC2\x80");  // ISO-8859-1, not windows-1252
}

}  // namespace
}  // namespace campaignd::http
