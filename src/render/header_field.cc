#include "render/header_field.h"

#include <algorithm>

#include "core/limits.h"
#include "render/body_encoding.h"
#include "render/field_functions.h"

namespace campaignd::render {
namespace {

constexpr std::string_view kQPrefix = "=?UTF-8?Q?";
constexpr std::string_view kBPrefix = "=?UTF-8?B?";
constexpr std::string_view kSuffix = "?=";
constexpr std::size_t kWordOverhead = kQPrefix.size() + kSuffix.size();
// A first word shorter than this is not worth it; the field then simply
// has a longer first line (still far below kMaxLineBytes).
constexpr std::size_t kMinFirstWordChars = 24;

// RFC 2047 §5(3): the characters a Q encoded word may carry as they are
// anywhere, a phrase included. Space is written as '_'.
bool IsQSafe(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!*+-/").find(static_cast<char>(c)) != std::string_view::npos;
}

std::size_t QChars(unsigned char c) { return IsQSafe(c) || c == ' ' ? 1 : 3; }

std::size_t QChars(std::string_view bytes) {
  std::size_t n = 0;
  for (char c : bytes) n += QChars(static_cast<unsigned char>(c));
  return n;
}

std::size_t BChars(std::size_t bytes) { return 4 * ((bytes + 2) / 3); }

void AppendQ(std::string_view bytes, std::string* out) {
  for (char ch : bytes) {
    auto c = static_cast<unsigned char>(ch);
    if (c == ' ') {
      out->push_back('_');
    } else if (IsQSafe(c)) {
      out->push_back(ch);
    } else {
      AppendHexEscape(ch, '=', out);
    }
  }
}

std::string MakeWord(std::string_view bytes, bool base64) {
  std::string word(base64 ? kBPrefix : kQPrefix);
  if (base64) {
    word += EncodeBase64(bytes);
  } else {
    AppendQ(bytes, &word);
  }
  word += kSuffix;
  return word;
}

}  // namespace

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::size_t FirstLineRoom(std::string_view name) {
  std::size_t used = name.size() + 2;  // "Name: "
  return used < limits::kFoldWidth ? limits::kFoldWidth - used : 0;
}

bool IsPlainHeaderText(std::string_view text) {
  if (text.find("=?") != std::string_view::npos) return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
}

Result<std::string> FoldField(std::string_view name, std::string_view value) {
  // Callers sanitize; this is the last guard against a broken header.
  auto is_control = [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; };
  if (std::any_of(value.begin(), value.end(), is_control)) {
    return Status::InvalidArgument(std::string(name) + ": control character in a header value");
  }
  std::string out;
  std::string line(name);
  line += ':';
  // Segments start at a space that follows a non-space; a line break goes
  // before a segment, so the segment's space begins the continuation line.
  std::size_t start = 0;
  while (start < value.size()) {
    std::size_t end = start + 1;
    while (end < value.size() && !(value[end] == ' ' && value[end - 1] != ' ')) ++end;
    std::string_view segment = value.substr(start, end - start);
    std::size_t first_space = start == 0 ? 1 : 0;  // "Name:" + " " + first segment
    if (start > 0 && line.size() + segment.size() > limits::kFoldWidth) {
      out += line;
      out += "\r\n";
      line.clear();
    }
    line.append(first_space, ' ');
    line += segment;
    if (line.size() > limits::kMaxLineBytes) {
      return Status::InvalidArgument(std::string(name) + ": header line longer than " +
                                     std::to_string(limits::kMaxLineBytes) + " octets");
    }
    start = end;
  }
  out += line;
  out += "\r\n";
  return out;
}

std::string EncodeWords(std::string_view text, std::size_t first_word_chars) {
  if (text.empty()) return {};
  bool base64 = BChars(text.size()) < QChars(text);
  std::size_t budget = std::max(first_word_chars, kMinFirstWordChars) - kWordOverhead;
  std::string out;
  std::size_t chunk_start = 0;
  std::size_t chunk_chars = 0;  // encoded length of text[chunk_start, i)
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t n = Utf8SequenceBytes(text, i);
    std::size_t chars =
        base64 ? BChars(i + n - chunk_start) : chunk_chars + QChars(text.substr(i, n));
    if (chars > budget && i > chunk_start) {
      if (!out.empty()) out.push_back(' ');
      out += MakeWord(text.substr(chunk_start, i - chunk_start), base64);
      budget = kMaxEncodedWordChars - kWordOverhead;
      chunk_start = i;
      chars = base64 ? BChars(n) : QChars(text.substr(i, n));
    }
    chunk_chars = chars;
    i += n;
  }
  if (!out.empty()) out.push_back(' ');
  out += MakeWord(text.substr(chunk_start), base64);
  return out;
}

Result<std::string> UnstructuredField(std::string_view name, std::string_view text) {
  std::string clean = SanitizeHeaderText(text);
  std::string_view value = TrimSpace(clean);
  if (IsPlainHeaderText(value)) {
    Result<std::string> plain = FoldField(name, value);
    if (plain.ok()) return plain;
  }
  return FoldField(name, EncodeWords(value, FirstLineRoom(name)));
}

}  // namespace campaignd::render
