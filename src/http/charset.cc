#include "http/charset.h"

#include <array>
#include <cstdint>

namespace campaignd::http {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// windows-1252 bytes 0x80..0x9F (WHATWG encoding table). The five bytes the
// code page leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) map to the C1
// control of the same value, as WHATWG does.
constexpr std::array<char16_t, 32> kWindows1252High = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,  // 80-87
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,  // 88-8F
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,  // 90-97
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,  // 98-9F
};

struct Alias {
  std::string_view label;
  Charset charset;
};

// Labels clients send for the three charsets (lower case, as compared).
constexpr std::array<Alias, 17> kAliases = {{
    {"utf-8", Charset::kUtf8},
    {"utf8", Charset::kUtf8},
    {"unicode-1-1-utf-8", Charset::kUtf8},
    {"iso-8859-1", Charset::kIso88591},
    {"iso8859-1", Charset::kIso88591},
    {"iso_8859-1", Charset::kIso88591},
    {"iso88591", Charset::kIso88591},
    {"iso_8859-1:1987", Charset::kIso88591},
    {"latin1", Charset::kIso88591},
    {"latin-1", Charset::kIso88591},
    {"l1", Charset::kIso88591},
    {"iso-ir-100", Charset::kIso88591},
    {"cp819", Charset::kIso88591},
    {"windows-1252", Charset::kWindows1252},
    {"cp1252", Charset::kWindows1252},
    {"win-1252", Charset::kWindows1252},
    {"x-cp1252", Charset::kWindows1252},
}};

void AppendUtf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Length of the well-formed UTF-8 sequence at s[i] (Unicode Table 3-7), or
// 0 when the bytes there are ill-formed.
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) -> uint8_t {
    return i + k < s.size() ? static_cast<uint8_t>(s[i + k]) : 0;
  };
  auto cont = [&](std::size_t k, uint8_t lo = 0x80, uint8_t hi = 0xBF) {
    return byte(k) >= lo && byte(k) <= hi && i + k < s.size();
  };
  const uint8_t b0 = byte(0);
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
  if (b0 == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if (b0 == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (b0 >= 0xE1 && b0 <= 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (b0 == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xF1 && b0 <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

std::string SanitizeUtf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t n = Utf8SequenceLength(bytes, i);
    if (n == 0) {
      AppendUtf8(kReplacement, out);
      ++i;
      continue;
    }
    out.append(bytes.substr(i, n));
    i += n;
  }
  return out;
}

std::string SingleByteToUtf8(std::string_view bytes, bool windows1252) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 4);
  for (unsigned char c : bytes) {
    char32_t cp = c;
    if (windows1252 && c >= 0x80 && c <= 0x9F) cp = kWindows1252High[c - 0x80];
    AppendUtf8(cp, out);
  }
  return out;
}

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::optional<Charset> ParseCharsetName(std::string_view label) {
  const auto first = label.find_first_not_of(" \t\"'");
  if (first == std::string_view::npos) return std::nullopt;
  label = label.substr(first, label.find_last_not_of(" \t\"'") - first + 1);
  std::string lower;
  for (char c : label) lower += AsciiLower(c);
  for (const auto& alias : kAliases) {
    if (alias.label == lower) return alias.charset;
  }
  return std::nullopt;
}

bool IsValidUtf8(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t n = Utf8SequenceLength(bytes, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string ToUtf8(std::string_view bytes, Charset charset) {
  switch (charset) {
    case Charset::kUtf8:
      return SanitizeUtf8(bytes);
    case Charset::kIso88591:
      return SingleByteToUtf8(bytes, /*windows1252=*/false);
    case Charset::kWindows1252:
      return SingleByteToUtf8(bytes, /*windows1252=*/true);
  }
  return SanitizeUtf8(bytes);
}

std::string ToUtf8Guessing(std::string_view bytes) {
  if (IsValidUtf8(bytes)) return std::string(bytes);
  return ToUtf8(bytes, Charset::kIso88591);
}

}  // namespace campaignd::http
