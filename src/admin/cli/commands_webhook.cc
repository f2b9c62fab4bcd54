// campaignd webhook: a client's webhook subscriptions (events.md §4,
// docs/admin-api.yaml /clients/{client}/webhooks...): create (the signing
// secret is printed once), list, show, update, delete, activate,
// deactivate, retry (a suspended one activated and due now), attempts.
#include <CLI/CLI.hpp>
#include <memory>

#include "admin/cli/command.h"

namespace campaignd::admin::cli {
namespace {

const std::vector<Column> kWebhookColumns = {{"ID", "id"},       {"STATE", "state"},
                                             {"AUTH", "auth"},   {"FAILED", "failed_attempts"},
                                             {"TYPES", "types"}, {"URL", "url"}};
const std::vector<Column> kAttemptColumns = {{"AT", "at"},
                                             {"EVENTS", "events"},
                                             {"FIRST EVENT", "first_event_id"},
                                             {"HTTP", "http_status"},
                                             {"MS", "duration_ms"},
                                             {"FINAL", "final"},
                                             {"ERROR", "error"}};
const std::vector<std::string> kAuths = {"none", "basicAuth", "keyAuth"};

struct WebhookArgs {
  CLI::App* cmd = nullptr;
  std::int64_t client = 0;
  std::int64_t id = 0;
  std::string url;
  std::vector<std::string> types;
  std::string auth;
  std::string auth_name;
  std::string auth_secret;
  std::string auth_secret_file;
  int limit = 0;
};

std::string WebhookPath(const WebhookArgs& a, std::string_view rest = "") {
  return ClientPath(a.client, "/webhooks/" + std::to_string(a.id) + std::string(rest));
}

// The members given on the command line (create and update).
Result<Json> WebhookBody(const WebhookArgs& a) {
  Json body = Json::object();
  const auto given = [&a](const char* flag) { return Given(*a.cmd, flag); };
  if (given("--id")) body["id"] = a.id;
  if (given("--url")) body["url"] = a.url;
  if (given("--type")) body["types"] = a.types;
  if (given("--auth")) body["auth"] = a.auth;
  if (given("--auth-name")) body["auth_name"] = a.auth_name;
  if (given("--auth-secret")) body["auth_secret"] = a.auth_secret;
  if (given("--auth-secret-file")) {
    auto secret = ReadInputFile(a.auth_secret_file, "--auth-secret-file");
    if (!secret.ok()) return secret.status();
    std::string text = std::move(*secret);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    body["auth_secret"] = std::move(text);
  }
  return body;
}

void AddSettings(CLI::App& cmd, WebhookArgs& a) {
  cmd.add_option("--url", a.url, "Target URL (http:// or https://; no user:password@)");
  cmd.add_option("--type", a.types,
                 "An event type it receives (sent, bounce, spamcomplaint, open, click, "
                 "unsubscribe, singleoptin, confirmedoptin, doubleoptin, blocklist, "
                 "filteredbyblocklist); repeat for several");
  cmd.add_option("--auth", a.auth, "none, basicAuth (user + password) or keyAuth (header + value)")
      ->check(CLI::IsMember(kAuths));
  cmd.add_option("--auth-name", a.auth_name, "basicAuth: the user; keyAuth: the header name");
  cmd.add_option("--auth-secret", a.auth_secret,
                 "basicAuth: the password; keyAuth: the header value (visible to other users "
                 "in the process list: prefer --auth-secret-file)");
  cmd.add_option("--auth-secret-file", a.auth_secret_file,
                 "File with the password or header value (one line)");
}

void AddId(CLI::App& cmd, WebhookArgs& a) {
  AddClientOption(cmd, a.client);
  cmd.add_option("ID", a.id, "The webhook's ID")->required();
}

// A verb that POSTs to WebhookPath(rest) and shows the subscription.
void AddStateVerb(CommandSet& set, CLI::App& noun, const std::string& verb, const std::string& help,
                  std::string rest) {
  auto args = std::make_shared<WebhookArgs>();
  args->cmd = set.Add(noun, verb, help, [args, rest] {
    return Result<Invocation>(
        Invocation{.method = "POST", .target = WebhookPath(*args, rest), .body = Json::object()});
  });
  AddId(*args->cmd, *args);
}

}  // namespace

void AddWebhookCommands(CommandSet& set, CLI::App& app) {
  CLI::App& noun =
      *app.add_subcommand("webhook",
                          "Webhooks: create, list, show, update, delete, activate, deactivate, "
                          "retry, attempts")
           ->require_subcommand(1);

  auto create = std::make_shared<WebhookArgs>();
  create->cmd = set.Add(noun, "create",
                        "Subscribe a URL to a client's events (prints the signing secret once)",
                        [create]() -> Result<Invocation> {
                          auto body = WebhookBody(*create);
                          if (!body.ok()) return body.status();
                          return Invocation{.method = "POST",
                                            .target = ClientPath(create->client, "/webhooks"),
                                            .body = std::move(*body),
                                            .shown_once = "signing_secret"};
                        });
  AddClientOption(*create->cmd, create->client);
  create->cmd->add_option("--id", create->id, "The webhook's ID; default: the next free one");
  AddSettings(*create->cmd, *create);
  create->cmd->get_option("--url")->required();
  create->cmd->get_option("--type")->required();

  auto list = std::make_shared<WebhookArgs>();
  list->cmd = set.Add(noun, "list", "List a client's webhooks", [list] {
    return Result<Invocation>(Invocation{.method = "GET",
                                         .target = ClientPath(list->client, "/webhooks"),
                                         .shape = Shape::kPage,
                                         .columns = kWebhookColumns});
  });
  AddClientOption(*list->cmd, list->client);

  auto show = std::make_shared<WebhookArgs>();
  show->cmd = set.Add(noun, "show", "Show one webhook (never its secrets)", [show] {
    return Result<Invocation>(Invocation{.method = "GET", .target = WebhookPath(*show)});
  });
  AddId(*show->cmd, *show);

  auto update = std::make_shared<WebhookArgs>();
  update->cmd =
      set.Add(noun, "update", "Change a webhook's URL, types or authentication",
              [update]() -> Result<Invocation> {
                auto body = WebhookBody(*update);
                if (!body.ok()) return body.status();
                if (body->empty()) {
                  return Status::InvalidArgument(
                      "nothing to change: give --url, --type, --auth, --auth-name or "
                      "--auth-secret(-file)");
                }
                return Invocation{
                    .method = "PATCH", .target = WebhookPath(*update), .body = std::move(*body)};
              });
  AddId(*update->cmd, *update);
  AddSettings(*update->cmd, *update);

  auto remove = std::make_shared<WebhookArgs>();
  remove->cmd =
      set.Add(noun, "delete", "Delete a webhook with its pending events and attempts", [remove] {
        return Result<Invocation>(
            Invocation{.method = "DELETE",
                       .target = WebhookPath(*remove),
                       .shape = Shape::kEmpty,
                       .done = "deleted webhook " + std::to_string(remove->id)});
      });
  AddId(*remove->cmd, *remove);

  AddStateVerb(set, noun, "activate", "Activate a webhook (ends a failing run; due now)",
               "/activate");
  AddStateVerb(set, noun, "deactivate", "Deactivate a webhook (no new events are queued for it)",
               "/deactivate");
  AddStateVerb(set, noun, "retry",
               "Retry now: a suspended (or failing) webhook is activated and sent its pending "
               "events",
               "/retry");

  auto attempts = std::make_shared<WebhookArgs>();
  attempts->cmd =
      set.Add(noun, "attempts", "A webhook's recent delivery attempts, newest first", [attempts] {
        PageArgs page{attempts->limit, ""};
        return Result<Invocation>(
            Invocation{.method = "GET",
                       .target = WithQuery(WebhookPath(*attempts, "/attempts"), {}, &page),
                       .shape = Shape::kPage,
                       .columns = kAttemptColumns});
      });
  AddId(*attempts->cmd, *attempts);
  attempts->cmd->add_option("--limit", attempts->limit, "At most this many (default 100)");
}

}  // namespace campaignd::admin::cli
