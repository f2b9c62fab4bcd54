// The table of configuration keys behind config/config.h: each key's name,
// the Config member it sets, its --help text, and how a value is checked.
// SetFromText (environment, command line) and SetFromToml (config file)
// return the problem with a value, or nullopt when it was stored.
// Callers: config/config.cc only.
#ifndef CAMPAIGND_CONFIG_CONFIG_KEYS_H_
#define CAMPAIGND_CONFIG_CONFIG_KEYS_H_

#include <toml++/toml.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "config/config.h"

namespace campaignd::config {

// A problem with a value ("expected a duration like '300s'"), or nullopt.
using Problem = std::optional<std::string>;

struct ConfigKey {
  using Member = std::variant<std::string Config::*, int Config::*, std::chrono::seconds Config::*,
                              std::chrono::milliseconds Config::*,
                              std::vector<std::string> Config::*, bool Config::*>;
  std::string_view name;
  Member member;
  std::string_view type_name;  // shown in --help: URL, N, DURATION...
  std::string_view help;
  Problem (*check)(std::string_view value) = nullptr;  // text values / list elements
};

std::span<const ConfigKey> ConfigKeys();
const ConfigKey* FindConfigKey(std::string_view name);

// "CAMPAIGND_" + upper-case name.
std::string EnvName(const ConfigKey& key);
// The value of `key` in `config`, as it would be written in the file.
std::string FormatValue(const Config& config, const ConfigKey& key);

// Lists in text form are comma-separated.
Problem SetFromText(Config& config, const ConfigKey& key, std::string_view text);
Problem SetFromToml(Config& config, const ConfigKey& key, const toml::node& node);

}  // namespace campaignd::config

#endif  // CAMPAIGND_CONFIG_CONFIG_KEYS_H_
