// campaignd optin: a client's opt-in processes, what `subscribe` with
// bmOptInId starts - single, confirmed or double opt-in with its
// confirmation mailing (docs/admin-api.yaml, /clients/{client}/optins...).
#include <CLI/CLI.hpp>
#include <memory>

#include "admin/cli/command.h"

namespace campaignd::admin::cli {
namespace {

const std::vector<Column> kOptInColumns = {{"ID", "id"},
                                           {"NAME", "name"},
                                           {"KIND", "kind"},
                                           {"MAILING", "mailing_id"},
                                           {"CONFIRMATION URL", "confirmation_url"}};
const std::vector<std::string> kKinds = {"single", "confirmed", "double"};

struct OptInArgs {
  CLI::App* cmd = nullptr;
  std::int64_t client = 0;
  std::int64_t id = 0;
  std::string name;
  std::string kind;
  std::int64_t mailing = 0;
  std::string confirmation_url;
};

// The process's members given on the command line (create and update).
Json OptInBody(const OptInArgs& a) {
  Json body = Json::object();
  if (Given(*a.cmd, "--id")) body["id"] = a.id;
  if (Given(*a.cmd, "--name")) body["name"] = a.name;
  if (Given(*a.cmd, "--kind")) body["kind"] = a.kind;
  if (Given(*a.cmd, "--mailing")) body["mailing_id"] = a.mailing;
  if (Given(*a.cmd, "--confirmation-url")) body["confirmation_url"] = a.confirmation_url;
  return body;
}

void AddOptInSettings(CLI::App& cmd, OptInArgs& a) {
  cmd.add_option("--name", a.name, "Name of the opt-in process");
  cmd.add_option("--kind", a.kind,
                 "single (active at once, no mail), confirmed (active, the confirmation "
                 "mailing is a notice) or double (pending until its link is followed)")
      ->check(CLI::IsMember(kKinds));
  cmd.add_option("--mailing", a.mailing,
                 "The confirmation mailing (type confirmation; needed for confirmed and "
                 "double; 0: none)");
  cmd.add_option("--confirmation-url", a.confirmation_url,
                 "Where the confirm link leads (http/https, host in the client's redirect "
                 "hosts); \"\": nowhere");
}

std::string OptInPath(const OptInArgs& a) {
  return ClientPath(a.client, "/optins/" + std::to_string(a.id));
}

void AddCreateListShow(CommandSet& set, CLI::App& noun) {
  auto create = std::make_shared<OptInArgs>();
  create->cmd = set.Add(noun, "create", "Create an opt-in process (bmOptInId of subscribe)",
                        [create] {
                          return Result<Invocation>(
                              Invocation{.method = "POST",
                                         .target = ClientPath(create->client, "/optins"),
                                         .body = OptInBody(*create)});
                        });
  AddClientOption(*create->cmd, create->client);
  create->cmd->add_option("--id", create->id, "The process's ID; default: the next free one");
  AddOptInSettings(*create->cmd, *create);
  create->cmd->get_option("--name")->required();
  create->cmd->get_option("--kind")->required();

  AddClientListVerb(set, noun, "List a client's opt-in processes", "/optins", kOptInColumns);

  auto show = std::make_shared<OptInArgs>();
  show->cmd = set.Add(noun, "show", "Show one opt-in process", [show] {
    return Result<Invocation>(Invocation{.method = "GET", .target = OptInPath(*show)});
  });
  AddClientOption(*show->cmd, show->client);
  show->cmd->add_option("ID", show->id, "The process's ID")->required();
}

void AddUpdateDelete(CommandSet& set, CLI::App& noun) {
  auto update = std::make_shared<OptInArgs>();
  update->cmd = set.Add(
      noun, "update", "Change an opt-in process's name, kind, mailing or confirmation URL",
      [update]() -> Result<Invocation> {
        Json body = OptInBody(*update);
        if (body.empty()) {
          return Status::InvalidArgument(
              "nothing to change: give --name, --kind, --mailing or --confirmation-url");
        }
        return Invocation{.method = "PATCH", .target = OptInPath(*update), .body = std::move(body)};
      });
  AddClientOption(*update->cmd, update->client);
  update->cmd->add_option("ID", update->id, "The process's ID")->required();
  AddOptInSettings(*update->cmd, *update);

  auto remove = std::make_shared<OptInArgs>();
  remove->cmd = set.Add(
      noun, "delete",
      "Delete an opt-in process (subscribe no longer accepts its ID; recipients stay as they are)",
      [remove] {
        return Result<Invocation>(
            Invocation{.method = "DELETE",
                       .target = OptInPath(*remove),
                       .shape = Shape::kEmpty,
                       .done = "deleted opt-in process " + std::to_string(remove->id)});
      });
  AddClientOption(*remove->cmd, remove->client);
  remove->cmd->add_option("ID", remove->id, "The process's ID")->required();
}

}  // namespace

void AddOptInCommands(CommandSet& set, CLI::App& app) {
  CLI::App& noun = *app.add_subcommand("optin", "Opt-in processes: create, list, show, update, "
                                                "delete")
                        ->require_subcommand(1);
  AddCreateListShow(set, noun);
  AddUpdateDelete(set, noun);
}

}  // namespace campaignd::admin::cli
