#include "config/config.h"

#include <CLI/CLI.hpp>
#include <cstdlib>

#include "config/config_keys.h"
#include "config/toml_reader.h"

namespace campaignd::config {
namespace {

// Where each key's value came from, to name it in a message about the
// combination of keys ("campaignd.toml:7: max_backoff: ...").
using Origins = std::map<std::string, std::string, std::less<>>;

void ReadFile(const std::filesystem::path& file, Config& config, Origins& origins,
              std::vector<std::string>& errors) {
  auto table = ParseTomlFile(file);
  if (!table.ok()) {
    errors.push_back(table.status().message());
    return;
  }
  Diagnostics diagnostics(file.string());
  TableReader reader(*table, diagnostics, "the configuration file");
  for (const auto& key : ConfigKeys()) {
    const toml::node* node = reader.Node(key.name);
    if (node == nullptr) continue;
    if (Problem p = SetFromToml(config, key, *node)) {
      reader.Error(key.name, *p);
    } else {
      origins[std::string(key.name)] = file.string() + ":" + std::to_string(reader.Line(key.name)) +
                                       ": " + std::string(key.name);
    }
  }
  reader.RejectUnknownKeys();
  for (auto& message : diagnostics.messages()) errors.push_back(std::move(message));
}

void ReadEnvironment(const EnvLookup& env, Config& config, Origins& origins,
                     std::vector<std::string>& errors) {
  for (const auto& key : ConfigKeys()) {
    const std::string name = EnvName(key);
    const std::optional<std::string> value = env(name);
    if (!value) continue;
    if (Problem p = SetFromText(config, key, *value)) {
      errors.push_back(name + ": " + *p);
    } else {
      origins[std::string(key.name)] = name;
    }
  }
}

void ReadOverrides(const std::map<std::string, std::string>& overrides, Config& config,
                   Origins& origins, std::vector<std::string>& errors) {
  for (const auto& [name, value] : overrides) {
    std::string option = "--" + name;
    std::replace(option.begin(), option.end(), '_', '-');
    const ConfigKey* key = FindConfigKey(name);
    if (key == nullptr) {
      errors.push_back(option + ": unknown setting");
    } else if (Problem p = SetFromText(config, *key, value)) {
      errors.push_back(option + ": " + *p);
    } else {
      origins[name] = option;
    }
  }
}

std::string Where(const Origins& origins, std::string_view key) {
  auto it = origins.find(key);
  return it != origins.end() ? it->second : std::string(key) + " (default)";
}

void CheckCombination(const Config& config, const Origins& origins,
                      std::vector<std::string>& errors) {
  if (!config.tls_listen.empty() && (config.tls_cert.empty() || config.tls_key.empty())) {
    errors.push_back(Where(origins, "tls_listen") + ": needs tls_cert and tls_key");
  }
  if (config.inbound_tls_cert.empty() != config.inbound_tls_key.empty()) {
    errors.push_back(
        Where(origins, config.inbound_tls_cert.empty() ? "inbound_tls_key" : "inbound_tls_cert") +
        ": inbound_tls_cert and inbound_tls_key go together");
  }
  if (config.min_backoff > config.max_backoff) {
    const std::string_view culprit =
        origins.contains("min_backoff") ? "min_backoff" : "max_backoff";
    errors.push_back(Where(origins, culprit) + ": min_backoff (" +
                     FormatDuration(config.min_backoff) + ") exceeds max_backoff (" +
                     FormatDuration(config.max_backoff) + ")");
  }
}

}  // namespace

EnvLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<Config> LoadConfig(const std::optional<std::filesystem::path>& file, const EnvLookup& env,
                          const std::map<std::string, std::string>& overrides) {
  Config config;
  Origins origins;
  std::vector<std::string> errors;
  if (file) ReadFile(*file, config, origins, errors);
  ReadEnvironment(env, config, origins, errors);
  ReadOverrides(overrides, config, origins, errors);
  if (errors.empty()) CheckCombination(config, origins, errors);
  if (!errors.empty()) {
    std::string message;
    for (const auto& e : errors) message += (message.empty() ? "" : "\n") + e;
    return Status::InvalidArgument(message);
  }
  while (config.public_url.ends_with('/')) config.public_url.pop_back();
  return config;
}

Result<Config> LoadConfig(const ConfigOverrides& overrides, const EnvLookup& env) {
  std::optional<std::filesystem::path> file;
  if (!overrides.config_file.empty()) {
    file = overrides.config_file;
  } else if (auto from_env = env("CAMPAIGND_CONFIG"); from_env && !from_env->empty()) {
    file = *from_env;
  }
  return LoadConfig(file, env, overrides.values);
}

void AddConfigOptions(CLI::App& app, ConfigOverrides& overrides, ConfigScope scope) {
  app.add_option("--config", overrides.config_file,
                 "TOML configuration file (see examples/campaignd.toml); env CAMPAIGND_CONFIG")
      ->type_name("FILE");
  const Config defaults;
  for (const auto& key : ConfigKeys()) {
    if (scope == ConfigScope::kDatabase && key.name != "db") continue;
    std::string option = "--" + std::string(key.name);
    std::replace(option.begin(), option.end(), '_', '-');
    std::string help = std::string(key.help) + " [default: ";
    const std::string default_value = FormatValue(defaults, key);
    help += (default_value.empty() ? "none" : default_value) + "; env " + EnvName(key) + "]";
    const std::string name(key.name);
    CLI::Option* added = nullptr;
    if (std::holds_alternative<std::vector<std::string> Config::*>(key.member)) {
      added = app.add_option_function<std::vector<std::string>>(
          option,
          [&overrides, name](const std::vector<std::string>& values) {
            std::string joined;
            for (const auto& v : values) joined += (joined.empty() ? "" : ",") + v;
            overrides.values[name] = joined;
          },
          help);
    } else {
      added = app.add_option_function<std::string>(
          option, [&overrides, name](const std::string& v) { overrides.values[name] = v; }, help);
    }
    added->type_name(std::string(key.type_name));
  }
}

}  // namespace campaignd::config
