#include "store/postgres/pg_url.h"

#include <cctype>
#include <optional>

namespace campaignd::store::postgres {
namespace {

struct UrlParts {
  std::string_view scheme;     // "postgresql://"
  std::string_view authority;  // "user:password@host:port"
  std::string_view rest;       // "?options" or ""
};

// Any "scheme://authority/path?rest" URL.
std::optional<UrlParts> Split(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return std::nullopt;
  UrlParts parts;
  parts.scheme = url.substr(0, scheme_end + 3);
  std::string_view tail = url.substr(scheme_end + 3);
  const std::size_t query = tail.find('?');
  parts.rest = query == std::string_view::npos ? "" : tail.substr(query);
  tail = tail.substr(0, query);
  const std::size_t slash = tail.find('/');
  parts.authority = tail.substr(0, slash);
  return parts;
}

// The password of `authority` ("user:password@host"), empty if none.
std::string_view Password(std::string_view authority) {
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
  std::optional<UrlParts> parts = Split(url);
  if (!parts) return std::string(url);
  std::string_view password = Password(parts->authority);
  if (password.empty()) return std::string(url);
  const std::size_t start = password.data() - url.data();
  return std::string(url.substr(0, start)) + "***" +
         std::string(url.substr(start + password.size()));
}

std::string ScrubPassword(std::string message, std::string_view url) {
  std::optional<UrlParts> parts = Split(url);
  if (!parts) return message;
  std::string_view password = Password(parts->authority);
  ReplaceAll(message, password, "***");
  ReplaceAll(message, PercentDecode(password), "***");
  return message;
}

Result<std::string> WithDatabase(std::string_view url, std::string_view dbname) {
  std::optional<UrlParts> parts = Split(url);
  if (!parts || !IsPostgresUrl(url)) return Status::InvalidArgument("not a postgresql:// URL: " + RedactUrl(url));
  return std::string(parts->scheme) + std::string(parts->authority) + "/" + std::string(dbname) +
         std::string(parts->rest);
}

}  // namespace campaignd::store::postgres
