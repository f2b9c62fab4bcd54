#include "http/url_decode.h"

namespace campaignd::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string PercentDecode(std::string_view in, bool plus_as_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%' && i + 2 < in.size()) {
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (c == '+' && plus_as_space) ? ' ' : c;
  }
  return out;
}

bool KeepsLiteralPlus(std::string_view decoded_name) {
  return decoded_name == "bmRecipientId" || decoded_name == "bmPattern" ||
         decoded_name == "bmNewRecipientId";
}

bool ParseUrlEncoded(std::string_view encoded, std::size_t max_count, RawParams* out) {
  while (!encoded.empty()) {
    const std::size_t amp = encoded.find('&');
    const std::string_view piece = encoded.substr(0, amp);
    encoded = amp == std::string_view::npos ? std::string_view() : encoded.substr(amp + 1);
    if (piece.empty()) continue;

    const std::size_t eq = piece.find('=');
    std::string name = PercentDecode(piece.substr(0, eq), /*plus_as_space=*/true);
    if (name.empty()) continue;
    const std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
    std::string value = PercentDecode(raw_value, /*plus_as_space=*/!KeepsLiteralPlus(name));
    if (out->count() + 1 > max_count) return false;
    out->params.push_back(RawParam{std::move(name), std::move(value), std::nullopt});
  }
  return true;
}

}  // namespace campaignd::http
