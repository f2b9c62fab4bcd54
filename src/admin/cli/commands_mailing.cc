// campaignd mailing: a client's mailings - content (from files), lists,
// target group, status changes (activate, pause, resume, finish, cancel)
// and a preview for one recipient (docs/admin-api.yaml /mailings...).
#include <CLI/CLI.hpp>
#include <memory>
#include <tuple>

#include "admin/cli/command.h"

namespace campaignd::admin::cli {
namespace {

const std::vector<Column> kMailingColumns = {{"ID", "id"},         {"NAME", "name"},
                                             {"TYPE", "type"},     {"STATUS", "status"},
                                             {"LISTS", "list_ids"}, {"SUBJECT", "subject"}};
const std::vector<std::string> kTypes = {"regular", "event", "confirmation", "template"};
const std::vector<std::string> kStatuses = {"NEW", "SENDING", "PAUSED", "DONE", "CANCELED"};

struct MailingArgs {
  CLI::App* cmd = nullptr;
  std::int64_t client = 0;
  std::int64_t id = 0;
  std::string name;
  std::string type;
  std::vector<std::int64_t> lists;
  std::string target_group;
  std::string from;
  std::string reply_to;
  std::string subject;
  std::string text_file;
  std::string html_file;
  std::string tracking;
  std::string status;
  std::int64_t list = 0;
  std::string recipient;
};

std::string MailingPath(const MailingArgs& a, std::string_view rest = "") {
  return ClientPath(a.client, "/mailings/" + std::to_string(a.id) + std::string(rest));
}

// The mailing members given on the command line; content read from files.
Result<Json> MailingBody(const MailingArgs& a) {
  Json body = Json::object();
  const auto given = [&a](const char* flag) { return Given(*a.cmd, flag); };
  if (given("--id")) body["id"] = a.id;
  if (given("--name")) body["name"] = a.name;
  if (given("--type")) body["type"] = a.type;
  if (given("--list")) body["list_ids"] = a.lists;
  if (given("--target-group")) body["target_group"] = a.target_group;
  if (given("--from")) body["from"] = a.from;
  if (given("--reply-to")) body["reply_to"] = a.reply_to;
  if (given("--subject")) body["subject"] = a.subject;
  if (given("--tracking")) body["tracking"] = a.tracking;  // checked by the API, once
  for (const auto& [flag, file, member] : {std::tuple{"--text-file", &a.text_file, "text"},
                                           std::tuple{"--html-file", &a.html_file, "html"}}) {
    if (!given(flag)) continue;
    auto content = ReadInputFile(*file, flag);
    if (!content.ok()) return content.status();
    body[member] = std::move(*content);
  }
  return body;
}

void AddContentOptions(CLI::App& cmd, MailingArgs& a) {
  cmd.add_option("--name", a.name, "Name of the mailing");
  cmd.add_option("--list", a.lists, "ID of a list the mailing goes to; repeat for several");
  cmd.add_option("--target-group", a.target_group,
                 "Only recipients matching this condition, e.g. \"orders >= 1\"");
  cmd.add_option("--from", a.from, "From header, e.g. \"Shop <shop@example.com>\"");
  cmd.add_option("--reply-to", a.reply_to, "Reply-To address");
  cmd.add_option("--subject", a.subject, "Subject, with {field} placeholders");
  cmd.add_option("--text-file", a.text_file, "File with the text part (UTF-8, {field} placeholders)");
  cmd.add_option("--html-file", a.html_file, "File with the HTML part (UTF-8, {field} placeholders)");
  cmd.add_option("--tracking", a.tracking,
                 "What the mailing tracks: none (default), opens, clicks or all");
}

void AddMailingId(CLI::App& cmd, MailingArgs& a) {
  AddClientOption(cmd, a.client);
  cmd.add_option("ID", a.id, "The mailing's ID")->required();
}

void AddCrud(CommandSet& set, CLI::App& noun) {
  auto create = std::make_shared<MailingArgs>();
  create->cmd = set.Add(noun, "create", "Create a mailing (status NEW)",
                        [create]() -> Result<Invocation> {
                          auto body = MailingBody(*create);
                          if (!body.ok()) return body.status();
                          return Invocation{.method = "POST",
                                            .target = ClientPath(create->client, "/mailings"),
                                            .body = std::move(*body),
                                            .shape = Shape::kMessage};
                        });
  AddClientOption(*create->cmd, create->client);
  create->cmd->add_option("--id", create->id, "The mailing's ID; default: the next free one");
  create->cmd->add_option("--type", create->type, "regular, event, confirmation or template")
      ->check(CLI::IsMember(kTypes));
  AddContentOptions(*create->cmd, *create);
  create->cmd->get_option("--name")->required();

  AddClientListVerb(set, noun, "List a client's mailings", "/mailings", kMailingColumns);

  auto show = std::make_shared<MailingArgs>();
  show->cmd = set.Add(noun, "show", "Show one mailing with its content", [show] {
    return Result<Invocation>(
        Invocation{.method = "GET", .target = MailingPath(*show), .shape = Shape::kMessage});
  });
  AddMailingId(*show->cmd, *show);

  auto update = std::make_shared<MailingArgs>();
  update->cmd = set.Add(noun, "update",
                        "Change content, lists or target group (only in status NEW or PAUSED)",
                        [update]() -> Result<Invocation> {
                          auto body = MailingBody(*update);
                          if (!body.ok()) return body.status();
                          if (body->empty()) return Status::InvalidArgument("nothing to change");
                          return Invocation{.method = "PATCH", .target = MailingPath(*update),
                                            .body = std::move(*body), .shape = Shape::kMessage};
                        });
  AddMailingId(*update->cmd, *update);
  AddContentOptions(*update->cmd, *update);

  auto remove = std::make_shared<MailingArgs>();
  remove->cmd = set.Add(noun, "delete", "Delete a mailing in status NEW (else cancel it)", [remove] {
    return Result<Invocation>(Invocation{.method = "DELETE",
                                         .target = MailingPath(*remove),
                                         .shape = Shape::kEmpty,
                                         .done = "deleted mailing " + std::to_string(remove->id)});
  });
  AddMailingId(*remove->cmd, *remove);
}

Invocation StatusChange(const MailingArgs& a, const std::string& status) {
  return Invocation{.method = "POST",
                    .target = MailingPath(a, "/status"),
                    .body = Json{{"status", status}}};
}

void AddStatusVerbs(CommandSet& set, CLI::App& noun) {
  auto any = std::make_shared<MailingArgs>();
  any->cmd = set.Add(noun, "status",
                     "Set the status: NEW->SENDING|CANCELED, SENDING->PAUSED|DONE|CANCELED, "
                     "PAUSED->SENDING|DONE|CANCELED",
                     [any] { return Result<Invocation>(StatusChange(*any, any->status)); });
  AddMailingId(*any->cmd, *any);
  any->cmd->add_option("STATUS", any->status, "NEW, SENDING, PAUSED, DONE or CANCELED")
      ->required()
      ->check(CLI::IsMember(kStatuses));

  struct Shortcut {
    const char* verb;
    const char* status;
    const char* help;
  };
  static constexpr Shortcut kShortcuts[] = {
      {"activate", "SENDING", "Start sending: status SENDING (from NEW)"},
      {"pause", "PAUSED", "Pause sending: status PAUSED (from SENDING)"},
      {"resume", "SENDING", "Resume sending: status SENDING (from PAUSED)"},
      {"finish", "DONE", "Mark as done: status DONE (from SENDING or PAUSED)"},
      {"cancel", "CANCELED", "Cancel: status CANCELED (from NEW, SENDING or PAUSED)"},
  };
  for (const Shortcut& s : kShortcuts) {
    auto a = std::make_shared<MailingArgs>();
    const std::string status = s.status;
    a->cmd = set.Add(noun, s.verb, s.help,
                     [a, status] { return Result<Invocation>(StatusChange(*a, status)); });
    AddMailingId(*a->cmd, *a);
  }
}

void AddPreview(CommandSet& set, CLI::App& noun) {
  auto a = std::make_shared<MailingArgs>();
  a->cmd = set.Add(noun, "preview", "Render the mailing for one recipient of one of its lists",
                   [a] {
                     return Result<Invocation>(
                         Invocation{.method = "POST",
                                    .target = MailingPath(*a, "/preview"),
                                    .body = Json{{"list_id", a->list}, {"recipient_id", a->recipient}},
                                    .shape = Shape::kMessage});
                   });
  AddMailingId(*a->cmd, *a);
  a->cmd->add_option("--list", a->list, "The recipient's list")->required();
  a->cmd->add_option("--recipient", a->recipient, "The recipient's address")->required();
}

}  // namespace

void AddMailingCommands(CommandSet& set, CLI::App& app) {
  CLI::App* noun = app.add_subcommand(
      "mailing",
      "Mailings: create, list, show, update, delete, status, activate, pause, resume, finish, "
      "cancel, preview");
  noun->require_subcommand(1);
  AddCrud(set, *noun);
  AddStatusVerbs(set, *noun);
  AddPreview(set, *noun);
}

}  // namespace campaignd::admin::cli
