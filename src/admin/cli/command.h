// The pieces every `campaignd <noun> <verb>` command is made of: the
// Invocation (the admin API request a parsed command line stands for, and
// how to show the answer), the CommandSet that registers leaf commands with
// their common flags (--db, --config, --json), and helpers that turn flags
// into paths, queries and JSON bodies. The nouns live in commands_*.cc.
// Input: flags typed by the operator; bad ones are InvalidArgument naming
// the flag. Threads: main thread only. Callers: cli.cc and the tests.
#ifndef CAMPAIGND_ADMIN_CLI_COMMAND_H_
#define CAMPAIGND_ADMIN_CLI_COMMAND_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "admin/cli/table.h"
#include "config/config.h"
#include "core/percent_encoding.h"
#include "core/status.h"

namespace CLI {
class App;
}

namespace campaignd::admin::cli {

// Largest --text-file/--html-file/--key-file read into a request body.
inline constexpr std::size_t kMaxInputFileBytes = 16 * 1024 * 1024;

// How the answer of a successful request is printed without --json.
enum class Shape {
  kPage,    // {"items": [...], "next_cursor"}: a table of `columns`
  kRecord,  // one object: "key  value" lines
  kEmpty,   // 204: the `done` line
  kCsv,     // a CSV stream, copied as it is
  kMessage, // one object whose "text" and "html" are shown as they are, after the other members
};

struct Invocation {
  std::string method;                // "GET", "POST", "PUT", "PATCH", "DELETE"
  std::string target;                // "/admin/v1/clients/7/lists?limit=10"
  std::optional<Json> body;          // sent as application/json
  std::string upload_file;           // else: this file streamed as text/csv
  std::string download_file;         // kCsv: written here; empty: standard output
  Shape shape = Shape::kRecord;
  std::vector<Column> columns;       // kPage
  std::string done;                  // kEmpty: "deleted list 100"
  std::string shown_once;            // member of the answer shown only now ("key", "code")
  // A command that does not go through the admin API (`mail MAILID`, `mail
  // purge`): called with the configuration (--db, --config) instead of a
  // request; returns the exit code.
  std::function<int(const config::Config& config, std::ostream& out, std::ostream& err)> local;
};

using InvocationBuilder = std::function<Result<Invocation>()>;

// One registered leaf command and its common flags.
struct Leaf {
  CLI::App* app = nullptr;
  std::string name;  // "client create"
  InvocationBuilder build;
  config::ConfigOverrides db;  // --db, --config
  bool json = false;   // --json
};

class CommandSet {
 public:
  // Adds `verb` under `noun` with --db, --config and --json; `build` turns
  // the parsed flags into the request. Returns the subcommand for its own
  // flags. `noun` must outlive this set.
  CLI::App* Add(CLI::App& noun, const std::string& verb, const std::string& help,
                InvocationBuilder build);

  // The leaf the command line selected (the deepest parsed one), or null.
  const Leaf* Parsed() const;

 private:
  std::deque<Leaf> leaves_;  // stable addresses: CLI11 writes into them
};

// --limit and --cursor of a list command.
struct PageArgs {
  int limit = 0;  // 0: the API's default
  std::string cursor;
};
void AddPageOptions(CLI::App& command, PageArgs& page);

// Whether `flag` exists on `command` and was given on the command line.
bool Given(const CLI::App& command, const std::string& flag);

// The required --client ID of every command below a client.
void AddClientOption(CLI::App& command, std::int64_t& client);

// "/admin/v1/clients/7" + rest.
std::string ClientPath(std::int64_t client, std::string_view rest = "");

// ClientPath(client, "/lists/<list>" + rest).
std::string ListPath(std::int64_t client, std::int64_t list, std::string_view rest = "");

// `path` + "?k=v&..." of the pairs whose value is not empty, plus the page.
std::string WithQuery(std::string path, const std::vector<std::pair<std::string, std::string>>& q,
                      const PageArgs* page = nullptr);

// The `list` verb of a noun below a client (codes, blocklist, keys, DKIM
// keys, lists, mailings, opt-in processes): --client ID, --limit, --cursor;
// a page of GET ClientPath(client, rest) printed as a table of `columns`.
CLI::App* AddClientListVerb(CommandSet& set, CLI::App& noun, const std::string& help,
                            std::string rest, std::vector<Column> columns);

// "NAME=VALUE" pairs of a repeated flag (`--field firstname=John`), split at
// the first `separator`. InvalidArgument naming `flag` otherwise.
Result<std::vector<std::pair<std::string, std::string>>> SplitPairs(
    const std::vector<std::string>& items, char separator, std::string_view flag);

// The whole regular file (at most kMaxInputFileBytes, read by
// admin::ReadTextFile); InvalidArgument "FLAG: cannot read PATH: why".
Result<std::string> ReadInputFile(const std::string& path, std::string_view flag);

// The nouns, one function each (commands_*.cc).
void AddClientCommands(CommandSet& set, CLI::App& app);     // client, key, relay, dkim
void AddListCommands(CommandSet& set, CLI::App& app);       // list, field
void AddRecipientCommands(CommandSet& set, CLI::App& app);  // recipient
void AddMailingCommands(CommandSet& set, CLI::App& app);    // mailing (status, preview)
void AddAccessCommands(CommandSet& set, CLI::App& app);     // code, blocklist
void AddOptInCommands(CommandSet& set, CLI::App& app);      // optin
void AddWebhookCommands(CommandSet& set, CLI::App& app);    // webhook
void AddMailCommands(CommandSet& set, CLI::App& app);       // mail MAILID, mail search
void AddMailCommands(CommandSet& set, CLI::App& app);       // mail MAILID, search, purge
// bounce, event; mailing stats, client stats (after the nouns they extend)
void AddEventCommands(CommandSet& set, CLI::App& app);

}  // namespace campaignd::admin::cli

#endif  // CAMPAIGND_ADMIN_CLI_COMMAND_H_
