// campaignd list|field: a client's recipient lists and their field schema
// (docs/admin-api.yaml, /clients/{client}/lists...).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>

#include "admin/cli/command.h"

namespace campaignd::admin::cli {
namespace {

const std::vector<Column> kListColumns = {
    {"ID", "id"}, {"NAME", "name"}, {"KIND", "kind"}, {"TEST", "test"}};
const std::vector<Column> kFieldColumns = {{"NAME", "name"}, {"TYPE", "type"}};
const std::vector<std::string> kKinds = {"standard", "optin", "transaction"};
const std::vector<std::string> kFieldTypes = {"text", "int", "decimal", "bool", "date", "datetime"};

struct ListArgs {
  CLI::App* cmd = nullptr;
  std::int64_t client = 0;
  std::int64_t id = 0;
  std::string name;
  std::string kind;
  bool test = false;
  std::vector<std::string> fields;  // NAME:TYPE
};

// The list members given on the command line (create and update).
Result<Json> ListBody(const ListArgs& a) {
  Json body = Json::object();
  if (Given(*a.cmd, "--id")) body["id"] = a.id;
  if (Given(*a.cmd, "--name")) body["name"] = a.name;
  if (Given(*a.cmd, "--kind")) body["kind"] = a.kind;
  if (Given(*a.cmd, "--test")) body["test"] = a.test;  // --no-test is the same option
  if (a.fields.empty()) return body;
  auto pairs = SplitPairs(a.fields, ':', "--field");
  if (!pairs.ok()) return pairs.status();
  body["fields"] = Json::array();
  for (const auto& [name, type] : *pairs) {
    if (std::find(kFieldTypes.begin(), kFieldTypes.end(), type) == kFieldTypes.end()) {
      return Status::InvalidArgument("--field " + name + ":" + type +
                                     ": type must be text, int, decimal, bool, date or datetime");
    }
    body["fields"].push_back({{"name", name}, {"type", type}});
  }
  return body;
}

void AddListSettings(CLI::App& cmd, ListArgs& a) {
  cmd.add_option("--name", a.name, "Name of the list");
  cmd.add_option("--kind", a.kind, "standard, optin or transaction")->check(CLI::IsMember(kKinds));
  cmd.add_flag("--test,!--no-test", a.test, "Mark the list as a test list (or not)");
}

void AddListCreateShow(CommandSet& set, CLI::App& noun) {
  auto create = std::make_shared<ListArgs>();
  create->cmd = set.Add(noun, "create", "Create a recipient list with its fields",
                        [create]() -> Result<Invocation> {
                          auto body = ListBody(*create);
                          if (!body.ok()) return body.status();
                          return Invocation{.method = "POST",
                                            .target = ClientPath(create->client, "/lists"),
                                            .body = std::move(*body)};
                        });
  AddClientOption(*create->cmd, create->client);
  create->cmd->add_option("--id", create->id, "The list's ID; default: the next free one");
  AddListSettings(*create->cmd, *create);
  create->cmd->get_option("--name")->required();
  create->cmd->add_option("--field", create->fields,
                          "A field as NAME:TYPE (text, int, decimal, bool, date, datetime); "
                          "repeat for several");

  AddClientListVerb(set, noun, "List a client's recipient lists", "/lists", kListColumns);

  auto show = std::make_shared<ListArgs>();
  show->cmd = set.Add(noun, "show", "Show one list and its fields", [show] {
    return Result<Invocation>(
        Invocation{.method = "GET", .target = ListPath(show->client, show->id)});
  });
  AddClientOption(*show->cmd, show->client);
  show->cmd->add_option("ID", show->id, "The list's ID")->required();
}

void AddListUpdateDelete(CommandSet& set, CLI::App& noun) {
  auto update = std::make_shared<ListArgs>();
  update->cmd = set.Add(noun, "update", "Change a list's name, kind or test mark",
                        [update]() -> Result<Invocation> {
                          auto body = ListBody(*update);
                          if (!body.ok()) return body.status();
                          if (body->empty()) {
                            return Status::InvalidArgument(
                                "nothing to change: give --name, --kind or --test/--no-test");
                          }
                          return Invocation{.method = "PATCH",
                                            .target = ListPath(update->client, update->id),
                                            .body = std::move(*body)};
                        });
  AddClientOption(*update->cmd, update->client);
  update->cmd->add_option("ID", update->id, "The list's ID")->required();
  AddListSettings(*update->cmd, *update);

  auto remove = std::make_shared<ListArgs>();
  remove->cmd = set.Add(
      noun, "delete", "Delete a list with its recipients and fields (not while in use)", [remove] {
        return Result<Invocation>(Invocation{.method = "DELETE",
                                             .target = ListPath(remove->client, remove->id),
                                             .shape = Shape::kEmpty,
                                             .done = "deleted list " + std::to_string(remove->id)});
      });
  AddClientOption(*remove->cmd, remove->client);
  remove->cmd->add_option("ID", remove->id, "The list's ID")->required();
}

struct FieldArgs {
  std::int64_t client = 0;
  std::int64_t list = 0;
  std::string name;
  std::string type;
};

void AddFieldTarget(CLI::App& cmd, FieldArgs& a) {
  AddClientOption(cmd, a.client);
  cmd.add_option("--list", a.list, "The list's ID")->required();
}

void AddFieldVerbs(CommandSet& set, CLI::App& noun) {
  auto add = std::make_shared<FieldArgs>();
  CLI::App* cmd = set.Add(noun, "add", "Add a field to a list's schema (or change its type)", [add] {
    return Result<Invocation>(Invocation{.method = "POST",
                                         .target = ListPath(add->client, add->list, "/fields"),
                                         .body = Json{{"name", add->name}, {"type", add->type}}});
  });
  AddFieldTarget(*cmd, *add);
  cmd->add_option("NAME", add->name, "The field's name, as in {NAME} placeholders")->required();
  cmd->add_option("TYPE", add->type, "text, int, decimal, bool, date or datetime")
      ->required()
      ->check(CLI::IsMember(kFieldTypes));

  auto list = std::make_shared<FieldArgs>();
  cmd = set.Add(noun, "list", "List a list's fields", [list] {
    return Result<Invocation>(Invocation{.method = "GET",
                                         .target = ListPath(list->client, list->list, "/fields"),
                                         .shape = Shape::kPage,
                                         .columns = kFieldColumns});
  });
  AddFieldTarget(*cmd, *list);

  auto remove = std::make_shared<FieldArgs>();
  cmd = set.Add(noun, "remove", "Remove a field from the schema (stored values stay)", [remove] {
    return Result<Invocation>(Invocation{
        .method = "DELETE",
        .target = ListPath(remove->client, remove->list, "/fields/" + PercentEncode(remove->name)),
        .shape = Shape::kEmpty,
        .done = "removed field " + remove->name});
  });
  AddFieldTarget(*cmd, *remove);
  cmd->add_option("NAME", remove->name, "The field's name")->required();
}

}  // namespace

void AddListCommands(CommandSet& set, CLI::App& app) {
  CLI::App* list = app.add_subcommand("list", "Recipient lists: create, list, show, update, delete");
  list->require_subcommand(1);
  AddListCreateShow(set, *list);
  AddListUpdateDelete(set, *list);
  AddFieldVerbs(set, *app.add_subcommand("field", "A list's fields: add, list, remove")
                         ->require_subcommand(1));
}

}  // namespace campaignd::admin::cli
