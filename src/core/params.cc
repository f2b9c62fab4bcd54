#include "core/params.h"

#include <algorithm>
#include <cctype>

namespace campaignd {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

}  // namespace

bool ParseBool(std::string_view value) {
  return EqualsIgnoreCase(value, "true") || value == "1" || EqualsIgnoreCase(value, "yes") ||
         EqualsIgnoreCase(value, "on");
}

void Params::Add(std::string name, std::string value) {
  if (Get(name).has_value()) return;
  params_.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string_view> Params::Get(std::string_view name) const {
  for (const auto& [n, v] : params_) {
    if (n == name) return std::string_view(v);
  }
  return std::nullopt;
}

bool Params::Has(std::string_view name) const {
  auto v = Get(name);
  return v.has_value() && !v->empty();
}

bool Params::GetBool(std::string_view name) const {
  auto v = Get(name);
  return v.has_value() && ParseBool(*v);
}

std::vector<std::pair<std::string, std::string>> Params::FieldValues() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& p : params_) {
    if (p.first.rfind("bm", 0) != 0) out.push_back(p);
  }
  return out;
}

}  // namespace campaignd
