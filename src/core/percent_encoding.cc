#include "core/percent_encoding.h"

namespace campaignd {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

void AppendHexEscape(char byte, char marker, std::string* out) {
  const auto u = static_cast<unsigned char>(byte);
  *out += {marker, kHex[u >> 4], kHex[u & 15]};
}

std::string PercentEncode(std::string_view text, std::string_view keep) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (IsAsciiAlnum(c) || keep.find(c) != std::string_view::npos) {
      out.push_back(c);
    } else {
      AppendHexEscape(c, '%', &out);
    }
  }
  return out;
}

}  // namespace campaignd
