#include "store/postgres/pg_url.h"

#include <algorithm>
#include <cctype>

namespace campaignd::store::postgres {
namespace {

// The password of any "scheme://user:password@host/path?options" URL, empty
// if none.
std::string_view Password(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return {};
  std::string_view authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, std::min(authority.find('?'), authority.find('/')));
  const std::size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return {};
  std::string_view userinfo = authority.substr(0, at);
  const std::size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos) return {};
  return userinfo.substr(colon + 1);
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

void ReplaceAll(std::string& text, std::string_view what, std::string_view with) {
  if (what.empty()) return;
  for (std::size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + with.size())) {
    text.replace(at, what.size(), with);
  }
}

}  // namespace

bool IsPostgresUrl(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

std::string RedactUrl(std::string_view url) {
  std::string_view password = Password(url);
  if (password.empty()) return std::string(url);
  const std::size_t start = password.data() - url.data();
  return std::string(url.substr(0, start)) + "***" +
         std::string(url.substr(start + password.size()));
}

std::string ScrubPassword(std::string message, std::string_view url) {
  std::string_view password = Password(url);
  ReplaceAll(message, password, "***");
  ReplaceAll(message, PercentDecode(password), "***");
  return message;
}

}  // namespace campaignd::store::postgres
