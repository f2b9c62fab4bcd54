// campaignd mail: one mail and its history (`mail MAILID`, the report of
// admin/commands.h; with --json the admin API's answer), the search over a
// client's mails (`mail search`, docs/admin-api.yaml /mails) and the
// retention purge run by hand (`mail purge`, admin/commands.h RunPurge).
#include <CLI/CLI.hpp>
#include <memory>

#include "admin/cli/command.h"
#include "admin/commands.h"
#include "core/mail_id.h"

namespace campaignd::admin::cli {
namespace {

const std::vector<Column> kMailColumns = {
    {"MAIL ID", "mail_id"},   {"RECIPIENT", "recipient_id"}, {"MAILING", "mailing_id"},
    {"STATUS", "status"},     {"ATTEMPTS", "attempts"},      {"CREATED", "created_at"},
    {"LAST REPLY", "last_reply"}};

struct MailArgs {
  CLI::App* cmd = nullptr;
  std::string mail_id;
  std::int64_t client = 0;
  std::string recipient;
  std::string mailing;
  std::string status;
  std::string since;
  std::string until;
  PageArgs page;
};

// `mail MAILID`: the history report from the store, or (--json) the API's
// GET /clients/{client}/mails/{MAILID}.
Result<Invocation> OneMail(const MailArgs& a) {
  if (a.mail_id.empty()) {
    return Status::InvalidArgument("give a MAILID (campaignd mail MAILID) or a command "
                                   "(campaignd mail search --help)");
  }
  if (!Given(*a.cmd, "--json")) {
    const std::string id = a.mail_id;
    return Invocation{
        .local = [id](const config::Config& config, std::ostream& out, std::ostream& err) {
          return RunMailHistory(config.db, id, out, err);
        }};
  }
  auto id = MailId::Parse(a.mail_id);
  if (!id.ok()) {
    return Status::InvalidArgument("'" + a.mail_id + "' is not a mail ID: " + id.status().message());
  }
  return Invocation{.method = "GET",
                    .target = ClientPath(id->client_id(), "/mails/" + PercentEncode(a.mail_id))};
}

Invocation Search(const MailArgs& a) {
  return Invocation{.method = "GET",
                    .target = WithQuery(ClientPath(a.client, "/mails"),
                                        {{"recipient", a.recipient},
                                         {"mailing", a.mailing},
                                         {"status", a.status},
                                         {"since", a.since},
                                         {"until", a.until}},
                                        &a.page),
                    .shape = Shape::kPage,
                    .columns = kMailColumns};
}

}  // namespace

void AddMailCommands(CommandSet& set, CLI::App& app) {
  auto one = std::make_shared<MailArgs>();
  one->cmd = set.Add(app, "mail",
                     "Show one mail, its status and its status history (mail MAILID), or search "
                     "a client's mails (mail search)",
                     [one] { return OneMail(*one); });
  one->cmd->add_option("MAILID", one->mail_id,
                       "The mail ID answered by sendeventmail (enqueued: MAILID)");

  auto search = std::make_shared<MailArgs>();
  search->cmd = set.Add(*one->cmd, "search", "Search a client's mails, newest first",
                        [search] { return Result<Invocation>(Search(*search)); });
  CLI::App& cmd = *search->cmd;
  AddClientOption(cmd, search->client);
  cmd.add_option("--recipient", search->recipient, "Only mails to this address");
  cmd.add_option("--mailing", search->mailing, "Only mails of this mailing ID");
  cmd.add_option("--status", search->status,
                 "Only mails in this status (enqueued, sending, sent, could_not_be_sent, ...)");
  cmd.add_option("--since", search->since,
                 "Created at or after (RFC 3339, e.g. 2026-11-28T10:00:00Z, or unix ms)");
  cmd.add_option("--until", search->until, "Created before (RFC 3339 or unix ms)");
  AddPageOptions(cmd, search->page);

  set.Add(*one->cmd, "purge",
          "Purge now what the worker purges every purge_interval: mails past status_retention "
          "(with their history), events past event_retention, webhook attempts past "
          "webhook_attempt_retention; prints what it deleted (the statistics stay)",
          [] { return Result<Invocation>(Invocation{.local = &RunPurge}); });
}

}  // namespace campaignd::admin::cli
