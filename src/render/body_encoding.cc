#include "render/body_encoding.h"

#include <openssl/evp.h>

#include <algorithm>
#include <vector>

#include "core/limits.h"

namespace campaignd::render {
namespace {

constexpr std::string_view kCrlf = "\r\n";

// RFC 2045 §6.7 rule 2: printable ASCII other than '=' stands for itself.
bool IsQpLiteral(unsigned char c) { return c >= 33 && c <= 126 && c != '='; }

// Appends one line (without its CRLF) as quoted-printable, with soft
// line breaks so that no encoded line exceeds kMaxEncodedLineChars. A
// UTF-8 sequence is one token, so a soft break never splits a character.
void EncodeQpLine(std::string_view line, std::string* out) {
  // Room on a line that ends in a soft break "=".
  constexpr std::size_t kSoftLineChars = kMaxEncodedLineChars - 1;
  std::size_t column = 0;
  std::size_t i = 0;
  auto literal_at = [&line](std::size_t k) {
    auto c = static_cast<unsigned char>(line[k]);
    return IsQpLiteral(c) || ((c == ' ' || c == '\t') && k + 1 < line.size());
  };
  while (i < line.size()) {
    // Literals that fit before the soft-break column are appended as one
    // run (most of a text); the rest goes token by token below.
    std::size_t run_end = i;
    std::size_t stop =
        std::min(line.size(), i + (kSoftLineChars - std::min(column, kSoftLineChars)));
    while (run_end < stop && literal_at(run_end)) ++run_end;
    if (run_end > i) {
      out->append(line.substr(i, run_end - i));
      column += run_end - i;
      i = run_end;
      continue;
    }
    bool literal = literal_at(i);
    std::size_t n = literal ? 1 : Utf8SequenceBytes(line, i);  // bytes in this token
    std::size_t width = literal ? 1 : 3 * n;
    bool last = i + n == line.size();
    if (column + width > (last ? kMaxEncodedLineChars : kSoftLineChars)) {
      *out += "=\r\n";
      column = 0;
    }
    if (literal) {
      out->push_back(line[i]);
    } else {
      for (std::size_t k = 0; k < n; ++k) AppendHexEscape(line[i + k], '=', out);
    }
    column += width;
    i += n;
  }
}

}  // namespace

std::string NormalizeLineEnds(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  std::size_t start = 0;  // of the line not yet copied
  // One pass, byte by byte (find_first_of would call memchr per byte).
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '\r' && c != '\n') continue;
    out.append(text.substr(start, i - start));
    out += kCrlf;
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  out.append(text.substr(start));
  if (!out.empty() && !out.ends_with(kCrlf)) out += kCrlf;
  return out;
}

bool Is7bit(std::string_view text) {
  std::size_t line_length = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      line_length = 0;
      ++i;
      continue;
    }
    if (c >= 0x80 || c == 0x7F || (c < 0x20 && c != '\t')) return false;
    if (++line_length > limits::kMaxLineBytes) return false;
  }
  return true;
}

std::string EncodeQuotedPrintable(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  while (!text.empty()) {
    std::size_t end = text.find(kCrlf);
    EncodeQpLine(text.substr(0, end), &out);
    if (end == std::string_view::npos) break;
    out += kCrlf;
    text.remove_prefix(end + kCrlf.size());
  }
  return out;
}

std::string EncodeBase64(std::string_view data) {
  std::vector<unsigned char> buf(4 * ((data.size() + 2) / 3) + 1);
  int n = EVP_EncodeBlock(buf.data(), reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  return std::string(reinterpret_cast<const char*>(buf.data()), static_cast<std::size_t>(n));
}

std::string EncodeBase64Lines(std::string_view data) {
  // 57 input bytes are exactly one 76-character line.
  constexpr std::size_t kBytesPerLine = kMaxEncodedLineChars / 4 * 3;
  std::string out;
  out.reserve(data.size() * 4 / 3 + data.size() / kBytesPerLine * 2 + 8);
  for (std::size_t i = 0; i < data.size(); i += kBytesPerLine) {
    out += EncodeBase64(data.substr(i, kBytesPerLine));
    out += kCrlf;
  }
  return out;
}

std::size_t Utf8SequenceBytes(std::string_view s, std::size_t i) {
  auto lead = static_cast<unsigned char>(s[i]);
  std::size_t want = lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : lead < 0xF8 ? 4 : 1;
  std::size_t n = 1;
  while (n < want && i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) {
    ++n;
  }
  return n;
}

}  // namespace campaignd::render
