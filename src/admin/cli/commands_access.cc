// campaignd code|blocklist: who may call the HTTP API (authorization codes,
// the code itself shown only when created) and who never gets mail (the
// blocklist, addresses and wildcard patterns). docs/admin-api.yaml.
#include <CLI/CLI.hpp>
#include <memory>

#include "admin/cli/command.h"

namespace campaignd::admin::cli {
namespace {

const std::vector<Column> kCodeColumns = {{"NAME", "name"},       {"LIST", "list_id"},
                                          {"OPERATIONS", "operations"}, {"IPS", "ips"},
                                          {"METHODS", "methods"}, {"ENABLED", "enabled"}};
const std::vector<Column> kBlockColumns = {{"PATTERN", "pattern"}, {"REASON", "reason"}};

struct CodeArgs {
  CLI::App* cmd = nullptr;
  std::int64_t client = 0;
  std::string name;
  std::string code;
  std::int64_t list = 0;
  std::vector<std::string> operations;
  std::vector<std::string> ips;
  std::vector<std::string> methods;
  std::vector<std::string> protocols;
  std::vector<std::string> redirect_hosts;
  bool enabled = true;
};

// The code's settings given on the command line.
Json CodeBody(const CodeArgs& a) {
  Json body = Json::object();
  const auto given = [&a](const char* flag) { return Given(*a.cmd, flag); };
  if (given("--name")) body["name"] = a.name;
  if (given("--code")) body["code"] = a.code;
  if (given("--list")) body["list_id"] = a.list;
  if (given("--operation")) body["operations"] = a.operations;
  if (given("--ip")) body["ips"] = a.ips;
  if (given("--method")) body["methods"] = a.methods;
  if (given("--protocol")) body["protocols"] = a.protocols;
  if (given("--redirect-host")) body["redirect_hosts"] = a.redirect_hosts;
  if (given("--enabled")) body["enabled"] = a.enabled;  // --disabled is the same option
  return body;
}

void AddPermissions(CLI::App& cmd, CodeArgs& a) {
  cmd.add_option("--list", a.list, "The list the code works on");
  cmd.add_option("--operation", a.operations,
                 "An operation the code may call (sendeventmail, getsendstatus, nop, ...); "
                 "repeat for several");
  cmd.add_option("--ip", a.ips, "A caller address range (CIDR) allowed; repeat for several");
  cmd.add_option("--method", a.methods, "An HTTP method allowed (GET, POST); repeat for several");
  cmd.add_option("--protocol", a.protocols, "http or https; repeat for both");
  cmd.add_option("--redirect-host", a.redirect_hosts,
                 "A host the code may redirect to; repeat for several");
  cmd.add_flag("--enabled,!--disabled", a.enabled, "Whether the code works (default: enabled)");
}

std::string CodePath(const CodeArgs& a) {
  return ClientPath(a.client, "/codes/" + PercentEncode(a.name));
}

void AddCodeVerbs(CommandSet& set, CLI::App& noun) {
  auto create = std::make_shared<CodeArgs>();
  create->cmd = set.Add(
      noun, "create", "Create an authorization code (the code is shown only now)", [create] {
        return Result<Invocation>(Invocation{.method = "POST",
                                             .target = ClientPath(create->client, "/codes"),
                                             .body = CodeBody(*create),
                                             .shown_once = "code"});
      });
  AddClientOption(*create->cmd, create->client);
  create->cmd->add_option("--name", create->name, "The code's name (how to refer to it later)")
      ->required();
  create->cmd->add_option("--code", create->code,
                          "The code to use (an existing integration's); default: a generated one");
  AddPermissions(*create->cmd, *create);
  create->cmd->get_option("--list")->required();

  AddClientListVerb(set, noun, "List a client's codes (never the codes themselves)", "/codes",
                    kCodeColumns);

  auto show = std::make_shared<CodeArgs>();
  show->cmd = set.Add(noun, "show", "Show one code's settings", [show] {
    return Result<Invocation>(Invocation{.method = "GET", .target = CodePath(*show)});
  });
  AddClientOption(*show->cmd, show->client);
  show->cmd->add_option("NAME", show->name, "The code's name")->required();

  auto update = std::make_shared<CodeArgs>();
  update->cmd = set.Add(noun, "update", "Change a code's permissions, or enable/disable it",
                        [update]() -> Result<Invocation> {
                          Json body = CodeBody(*update);
                          body.erase("name");
                          if (body.empty()) return Status::InvalidArgument("nothing to change");
                          return Invocation{.method = "PATCH", .target = CodePath(*update),
                                            .body = std::move(body)};
                        });
  AddClientOption(*update->cmd, update->client);
  update->cmd->add_option("NAME", update->name, "The code's name")->required();
  AddPermissions(*update->cmd, *update);

  auto remove = std::make_shared<CodeArgs>();
  remove->cmd = set.Add(noun, "delete", "Delete a code (calls with it fail from now on)", [remove] {
    return Result<Invocation>(Invocation{.method = "DELETE",
                                         .target = CodePath(*remove),
                                         .shape = Shape::kEmpty,
                                         .done = "deleted code " + remove->name});
  });
  AddClientOption(*remove->cmd, remove->client);
  remove->cmd->add_option("NAME", remove->name, "The code's name")->required();
}

struct BlockArgs {
  std::int64_t client = 0;
  std::string pattern;
  std::string reason;
};

void AddBlocklistVerbs(CommandSet& set, CLI::App& noun) {
  auto add = std::make_shared<BlockArgs>();
  CLI::App* cmd = set.Add(noun, "add", "Block an address or a wildcard pattern", [add] {
    Json body = {{"pattern", add->pattern}};
    if (!add->reason.empty()) body["reason"] = add->reason;
    return Result<Invocation>(Invocation{
        .method = "POST", .target = ClientPath(add->client, "/blocklist"), .body = std::move(body)});
  });
  AddClientOption(*cmd, add->client);
  cmd->add_option("PATTERN", add->pattern, "An address, or a pattern with * (e.g. *@spam.example)")
      ->required();
  cmd->add_option("--reason", add->reason, "Why (kept with the entry)");

  AddClientListVerb(set, noun, "List a client's blocklist", "/blocklist", kBlockColumns);

  auto remove = std::make_shared<BlockArgs>();
  cmd = set.Add(noun, "remove", "Remove an entry from the blocklist", [remove] {
    return Result<Invocation>(Invocation{
        .method = "DELETE",
        .target = ClientPath(remove->client, "/blocklist/" + PercentEncode(remove->pattern)),
        .shape = Shape::kEmpty,
        .done = "unblocked " + remove->pattern});
  });
  AddClientOption(*cmd, remove->client);
  cmd->add_option("PATTERN", remove->pattern, "The entry, as listed")->required();
}

}  // namespace

void AddAccessCommands(CommandSet& set, CLI::App& app) {
  AddCodeVerbs(set, *app.add_subcommand("code", "Authorization codes: create, list, show, update, "
                                                "delete")
                         ->require_subcommand(1));
  AddBlocklistVerbs(set, *app.add_subcommand("blocklist", "A client's blocklist: add, list, remove")
                             ->require_subcommand(1));
}

}  // namespace campaignd::admin::cli
