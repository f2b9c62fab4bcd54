#include "admin/cli/command.h"

#include <CLI/CLI.hpp>
#include <memory>

#include "config/toml_reader.h"

namespace campaignd::admin::cli {

CLI::App* CommandSet::Add(CLI::App& noun, const std::string& verb, const std::string& help,
                          InvocationBuilder build) {
  Leaf& leaf = leaves_.emplace_back();
  leaf.app = noun.add_subcommand(verb, help);
  leaf.name = noun.get_parent() == nullptr ? verb : noun.get_name() + " " + verb;
  leaf.build = std::move(build);
  config::AddConfigOptions(*leaf.app, leaf.db, config::ConfigScope::kDatabase);
  leaf.app->add_flag("--json", leaf.json,
                     "Print the admin API's JSON answer instead of a table (for scripts)");
  return leaf.app;
}

const Leaf* CommandSet::Parsed() const {
  for (const Leaf& leaf : leaves_) {
    if (leaf.app->parsed() && leaf.app->get_subcommands().empty()) return &leaf;
  }
  return nullptr;
}

void AddPageOptions(CLI::App& command, PageArgs& page) {
  command.add_option("--limit", page.limit, "At most this many rows (1..1000; default 100)")
      ->check(CLI::Range(1, 1000));
  command.add_option("--cursor", page.cursor,
                     "Continue after the previous page (its next_cursor, printed below it)");
}

bool Given(const CLI::App& command, const std::string& flag) {
  const CLI::Option* option = command.get_option_no_throw(flag);
  return option != nullptr && option->count() > 0;
}

void AddClientOption(CLI::App& command, std::int64_t& client) {
  command.add_option("--client", client, "The client's ID (see: campaignd client list)")
      ->required();
}

std::string ClientPath(std::int64_t client, std::string_view rest) {
  return "/admin/v1/clients/" + std::to_string(client) + std::string(rest);
}

std::string ListPath(std::int64_t client, std::int64_t list, std::string_view rest) {
  return ClientPath(client, "/lists/" + std::to_string(list) + std::string(rest));
}

std::string WithQuery(std::string path, const std::vector<std::pair<std::string, std::string>>& q,
                      const PageArgs* page) {
  std::vector<std::pair<std::string, std::string>> all = q;
  if (page != nullptr) {
    if (page->limit > 0) all.emplace_back("limit", std::to_string(page->limit));
    all.emplace_back("cursor", page->cursor);
  }
  char separator = '?';
  for (const auto& [name, value] : all) {
    if (value.empty()) continue;
    path += separator + name + "=" + PercentEncode(value);
    separator = '&';
  }
  return path;
}

CLI::App* AddClientListVerb(CommandSet& set, CLI::App& noun, const std::string& help,
                            std::string rest, std::vector<Column> columns) {
  struct Args {
    std::int64_t client = 0;
    PageArgs page;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd =
      set.Add(noun, "list", help, [args, rest = std::move(rest), columns = std::move(columns)] {
        return Result<Invocation>(
            Invocation{.method = "GET",
                       .target = WithQuery(ClientPath(args->client, rest), {}, &args->page),
                       .shape = Shape::kPage,
                       .columns = columns});
      });
  AddClientOption(*cmd, args->client);
  AddPageOptions(*cmd, args->page);
  return cmd;
}

Result<std::vector<std::pair<std::string, std::string>>> SplitPairs(
    const std::vector<std::string>& items, char separator, std::string_view flag) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const std::string& item : items) {
    const std::size_t at = item.find(separator);
    if (at == std::string::npos || at == 0) {
      return Status::InvalidArgument(std::string(flag) + " '" + item + "': expected NAME" +
                                     separator + "VALUE");
    }
    pairs.emplace_back(item.substr(0, at), item.substr(at + 1));
  }
  return pairs;
}

Result<std::string> ReadInputFile(const std::string& path, std::string_view flag) {
  auto text = config::ReadTextFile(path, kMaxInputFileBytes);
  if (!text.ok()) return Status::InvalidArgument(std::string(flag) + ": " + text.status().message());
  return text;
}

}  // namespace campaignd::admin::cli
