// campaignd recipient: the recipients of a list, one at a time or as CSV
// (import streamed with a progress report, export streamed), following
// docs/admin-api.yaml /clients/{client}/lists/{list}/recipients...
#include <CLI/CLI.hpp>
#include <memory>

#include "admin/cli/command.h"

namespace campaignd::admin::cli {
namespace {

const std::vector<Column> kRecipientColumns = {
    {"RECIPIENT", "recipient_id"}, {"STATE", "state"}, {"FIELDS", "fields"}};
const std::vector<std::string> kStates = {"active", "unsubscribed", "pending"};

struct RecipientArgs {
  CLI::App* cmd = nullptr;
  std::int64_t client = 0;
  std::int64_t list = 0;
  std::string address;
  std::string state;
  std::vector<std::string> fields;  // NAME=VALUE
  std::string file;
  PageArgs page;
};

void AddTarget(CLI::App& cmd, RecipientArgs& a) {
  AddClientOption(cmd, a.client);
  cmd.add_option("--list", a.list, "The list's ID")->required();
}

void AddAddress(CLI::App& cmd, RecipientArgs& a) {
  cmd.add_option("ADDRESS", a.address, "The recipient's address (its recipient ID)")->required();
}

void AddValues(CLI::App& cmd, RecipientArgs& a) {
  cmd.add_option("--field", a.fields, "A field value as NAME=VALUE; repeat for several");
  cmd.add_option("--state", a.state, "active (default), unsubscribed or pending")
      ->check(CLI::IsMember(kStates));
}

std::string RecipientPath(const RecipientArgs& a) {
  return ListPath(a.client, a.list, "/recipients/" + PercentEncode(a.address));
}

// {"recipient_id", "state", "fields"} from the command line.
Result<Json> RecipientBody(const RecipientArgs& a) {
  auto pairs = SplitPairs(a.fields, '=', "--field");
  if (!pairs.ok()) return pairs.status();
  Json body = {{"recipient_id", a.address}};
  if (!a.state.empty()) body["state"] = a.state;
  body["fields"] = Json::object();
  for (const auto& [name, value] : *pairs) body["fields"][name] = value;
  return body;
}

void AddOneAtATime(CommandSet& set, CLI::App& noun) {
  auto add = std::make_shared<RecipientArgs>();
  add->cmd = set.Add(noun, "add", "Add a recipient to a list (or replace it)",
                     [add]() -> Result<Invocation> {
                       auto body = RecipientBody(*add);
                       if (!body.ok()) return body.status();
                       return Invocation{.method = "POST",
                                         .target = ListPath(add->client, add->list, "/recipients"),
                                         .body = std::move(*body)};
                     });
  AddTarget(*add->cmd, *add);
  AddAddress(*add->cmd, *add);
  AddValues(*add->cmd, *add);

  auto show = std::make_shared<RecipientArgs>();
  show->cmd = set.Add(noun, "show", "Show one recipient of a list", [show] {
    return Result<Invocation>(Invocation{.method = "GET", .target = RecipientPath(*show)});
  });
  AddTarget(*show->cmd, *show);
  AddAddress(*show->cmd, *show);

  auto update = std::make_shared<RecipientArgs>();
  update->cmd = set.Add(noun, "update",
                        "Replace a recipient's fields and state (fields not given are cleared; "
                        "creates the recipient if missing)",
                        [update]() -> Result<Invocation> {
                          auto body = RecipientBody(*update);
                          if (!body.ok()) return body.status();
                          return Invocation{.method = "PUT", .target = RecipientPath(*update),
                                            .body = std::move(*body)};
                        });
  AddTarget(*update->cmd, *update);
  AddAddress(*update->cmd, *update);
  AddValues(*update->cmd, *update);

  auto remove = std::make_shared<RecipientArgs>();
  remove->cmd = set.Add(noun, "remove", "Remove a recipient from a list", [remove] {
    return Result<Invocation>(Invocation{.method = "DELETE",
                                         .target = RecipientPath(*remove),
                                         .shape = Shape::kEmpty,
                                         .done = "removed " + remove->address});
  });
  AddTarget(*remove->cmd, *remove);
  AddAddress(*remove->cmd, *remove);
}

void AddBulk(CommandSet& set, CLI::App& noun) {
  auto list = std::make_shared<RecipientArgs>();
  list->cmd = set.Add(noun, "list", "List the recipients of a list, by address", [list] {
    return Result<Invocation>(Invocation{
        .method = "GET",
        .target = WithQuery(ListPath(list->client, list->list, "/recipients"), {}, &list->page),
        .shape = Shape::kPage,
        .columns = kRecipientColumns});
  });
  AddTarget(*list->cmd, *list);
  AddPageOptions(*list->cmd, list->page);

  auto import = std::make_shared<RecipientArgs>();
  import->cmd = set.Add(
      noun, "import",
      "Import recipients from a CSV file (header row: email, optional state, then field names), "
      "streamed in batches with a progress report",
      [import] {
        return Result<Invocation>(
            Invocation{.method = "POST",
                       .target = ListPath(import->client, import->list, "/recipients/import"),
                       .upload_file = import->file});
      });
  AddTarget(*import->cmd, *import);
  import->cmd->add_option("FILE", import->file, "The CSV file (UTF-8, comma-separated)")
      ->required();

  auto exp = std::make_shared<RecipientArgs>();
  exp->cmd = set.Add(noun, "export",
                     "Export all recipients of a list as CSV (email, state, then the fields)", [exp] {
                       return Result<Invocation>(Invocation{
                           .method = "GET",
                           .target = ListPath(exp->client, exp->list, "/recipients/export"),
                           .download_file = exp->file,
                           .shape = Shape::kCsv});
                     });
  AddTarget(*exp->cmd, *exp);
  exp->cmd->add_option("--output,-o", exp->file, "Write the CSV to this file (default: stdout)");
}

}  // namespace

void AddRecipientCommands(CommandSet& set, CLI::App& app) {
  CLI::App* noun = app.add_subcommand(
      "recipient", "Recipients of a list: add, list, show, update, remove, import, export");
  noun->require_subcommand(1);
  AddOneAtATime(set, *noun);
  AddBulk(set, *noun);
}

}  // namespace campaignd::admin::cli
