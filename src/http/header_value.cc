#include "http/header_value.h"

#include <algorithm>

namespace campaignd::http {
namespace {

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view Trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// Reads a quoted-string starting at s[i] == '"'; advances i past the closing
// quote. nullopt when it is not closed.
std::optional<std::string> ReadQuoted(std::string_view s, std::size_t& i) {
  std::string out;
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      out += s[++i];
    } else if (s[i] == '"') {
      ++i;
      return out;
    } else {
      out += s[i];
    }
  }
  return std::nullopt;
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return AsciiLower(x) == AsciiLower(y);
         });
}

std::string MediaType(std::string_view header_value) {
  std::string out(Trim(header_value.substr(0, header_value.find(';'))));
  for (char& c : out) c = AsciiLower(c);
  return out;
}

std::optional<std::string> HeaderParam(std::string_view v, std::string_view name) {
  std::size_t i = v.find(';');
  while (i != std::string_view::npos && i < v.size()) {
    ++i;  // past ';'
    const std::size_t eq = v.find_first_of("=;", i);
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string_view key = Trim(v.substr(i, eq - i));
    if (v[eq] == ';') {  // a parameter without a value
      i = eq;
      continue;
    }
    i = eq + 1;
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
    std::string value;
    if (i < v.size() && v[i] == '"') {
      auto quoted = ReadQuoted(v, i);
      if (!quoted) return std::nullopt;
      value = std::move(*quoted);
      i = v.find(';', i);
    } else {
      const std::size_t end = v.find(';', i);
      value = std::string(Trim(v.substr(i, end == std::string_view::npos ? v.npos : end - i)));
      i = end;
    }
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

}  // namespace campaignd::http
