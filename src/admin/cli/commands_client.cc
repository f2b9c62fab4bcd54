// campaignd client|key|relay|dkim: clients, their API keys, their relay
// (transport URL) and their DKIM keys (docs/admin-api.yaml).
#include <CLI/CLI.hpp>
#include <memory>

#include "admin/cli/command.h"

namespace campaignd::admin::cli {
namespace {

const std::vector<Column> kClientColumns = {{"ID", "id"},
                                            {"NAME", "name"},
                                            {"TRANSPORT", "transport"},
                                            {"BOUNCE LIMIT", "bounce_limit"},
                                            {"RATE LIMIT", "rate_limit"},
                                            {"BOUNCE DOMAIN", "bounce_domain"}};
const std::vector<Column> kKeyColumns = {{"ID", "id"}, {"NAME", "name"}, {"CREATED", "created_at"}};
const std::vector<Column> kDkimColumns = {
    {"DOMAIN", "domain"}, {"SELECTOR", "selector"}, {"ALGORITHM", "algorithm"}};

struct ClientArgs {
  CLI::App* cmd = nullptr;
  std::int64_t id = 0;
  std::string name;
  std::string transport;
  std::vector<std::string> redirect_hosts;
  int bounce_limit = 0;
  int rate_limit = 0;
  std::string bounce_domain;
  std::string bounce_local;
  std::string complaint_address;
  PageArgs page;
};

// The members of a client given on the command line.
Json ClientBody(const ClientArgs& a) {
  Json body = Json::object();
  if (Given(*a.cmd, "--id")) body["id"] = a.id;
  if (Given(*a.cmd, "--name")) body["name"] = a.name;
  if (Given(*a.cmd, "--transport")) body["transport"] = a.transport;
  if (Given(*a.cmd, "--redirect-host")) body["redirect_hosts"] = a.redirect_hosts;
  if (Given(*a.cmd, "--bounce-limit")) body["bounce_limit"] = a.bounce_limit;
  if (Given(*a.cmd, "--rate-limit")) body["rate_limit"] = a.rate_limit;
  if (Given(*a.cmd, "--bounce-domain")) body["bounce_domain"] = a.bounce_domain;
  if (Given(*a.cmd, "--bounce-local")) body["bounce_local"] = a.bounce_local;
  if (Given(*a.cmd, "--complaint-address")) body["complaint_address"] = a.complaint_address;
  return body;
}

void AddClientSettings(CLI::App& cmd, ClientArgs& a) {
  cmd.add_option("--name", a.name, "Display name of the client");
  cmd.add_option("--redirect-host", a.redirect_hosts,
                 "Host redirects (bmSuccessUrl, bmUrl) may go to; repeat for several");
  cmd.add_option("--bounce-limit", a.bounce_limit,
                 "Hard bounces after which a recipient is too_many_bounces")
      ->check(CLI::NonNegativeNumber);
  cmd.add_option("--rate-limit", a.rate_limit, "Messages per second for this client; 0: none")
      ->check(CLI::NonNegativeNumber);
  cmd.add_option("--bounce-domain", a.bounce_domain,
                 "Domain of the VERP return paths (bounces+MAILID@DOMAIN); \"\": none");
  cmd.add_option("--bounce-local", a.bounce_local,
                 "Local part of the VERP return paths; default: bounces");
  cmd.add_option("--complaint-address", a.complaint_address,
                 "Where ARF feedback loops report; \"\": fbl@<bounce domain>");
}

void AddClientVerbs(CommandSet& set, CLI::App& noun) {
  auto create = std::make_shared<ClientArgs>();
  create->cmd = set.Add(noun, "create", "Create a client (prints it, with its ID)", [create] {
    return Result<Invocation>(Invocation{.method = "POST", .target = "/admin/v1/clients",
                                         .body = ClientBody(*create)});
  });
  create->cmd->add_option("--id", create->id, "The client's ID; default: the next free one");
  AddClientSettings(*create->cmd, *create);
  create->cmd->get_option("--name")->required();
  create->cmd->add_option("--transport", create->transport,
                          "Relay URL: smtp://user:pass@host:port, smtps://..., or file:DIR");

  auto list = std::make_shared<ClientArgs>();
  list->cmd = set.Add(noun, "list", "List the clients", [list] {
    return Result<Invocation>(Invocation{.method = "GET",
                                         .target = WithQuery("/admin/v1/clients", {}, &list->page),
                                         .shape = Shape::kPage,
                                         .columns = kClientColumns});
  });
  AddPageOptions(*list->cmd, list->page);

  auto show = std::make_shared<ClientArgs>();
  show->cmd = set.Add(noun, "show", "Show one client", [show] {
    return Result<Invocation>(Invocation{.method = "GET", .target = ClientPath(show->id)});
  });
  show->cmd->add_option("ID", show->id, "The client's ID")->required();

  auto update = std::make_shared<ClientArgs>();
  update->cmd = set.Add(noun, "update",
                        "Change a client's name, redirect hosts, limits or bounce settings",
                        [update]() -> Result<Invocation> {
                          Json body = ClientBody(*update);
                          if (body.empty()) {
                            return Status::InvalidArgument(
                                "nothing to change: give --name, --redirect-host, "
                                "--bounce-limit, --rate-limit, --bounce-domain, "
                                "--bounce-local or --complaint-address");
                          }
                          return Invocation{.method = "PATCH", .target = ClientPath(update->id),
                                            .body = std::move(body)};
                        });
  update->cmd->add_option("ID", update->id, "The client's ID")->required();
  AddClientSettings(*update->cmd, *update);
}

struct KeyArgs {
  std::int64_t client = 0;
  std::int64_t key = 0;
  std::string name;
};

void AddKeyVerbs(CommandSet& set, CLI::App& noun) {
  auto create = std::make_shared<KeyArgs>();
  CLI::App* cmd = set.Add(
      noun, "create", "Create an API key for a client's own admin API calls (shown only now)",
      [create] {
        Json body = Json::object();
        if (!create->name.empty()) body["name"] = create->name;
        return Result<Invocation>(Invocation{.method = "POST",
                                             .target = ClientPath(create->client, "/keys"),
                                             .body = std::move(body),
                                             .shown_once = "key"});
      });
  AddClientOption(*cmd, create->client);
  cmd->add_option("--name", create->name, "What the key is for (e.g. the shop's name)");

  AddClientListVerb(set, noun, "List a client's API keys (never the keys themselves)", "/keys",
                    kKeyColumns);

  auto remove = std::make_shared<KeyArgs>();
  cmd = set.Add(noun, "delete", "Revoke an API key", [remove] {
    const std::string id = std::to_string(remove->key);
    return Result<Invocation>(Invocation{.method = "DELETE",
                                         .target = ClientPath(remove->client, "/keys/" + id),
                                         .shape = Shape::kEmpty,
                                         .done = "revoked key " + id});
  });
  AddClientOption(*cmd, remove->client);
  cmd->add_option("ID", remove->key, "The key's ID (see: campaignd key list)")->required();
}

struct RelayArgs {
  std::int64_t client = 0;
  std::string transport;
};

void AddRelayVerbs(CommandSet& set, CLI::App& noun) {
  auto put = std::make_shared<RelayArgs>();
  CLI::App* cmd = set.Add(noun, "set", "Set the relay the client's mail is delivered through", [put] {
    return Result<Invocation>(Invocation{.method = "PUT",
                                         .target = ClientPath(put->client, "/relay"),
                                         .body = Json{{"transport", put->transport}}});
  });
  AddClientOption(*cmd, put->client);
  cmd->add_option("URL", put->transport,
                  "smtp://user:pass@host:port[?starttls=required&cafile=PEM], smtps://..., "
                  "or file:DIR")
      ->required();

  auto show = std::make_shared<RelayArgs>();
  cmd = set.Add(noun, "show", "Show the client's relay (password as ***)", [show] {
    return Result<Invocation>(
        Invocation{.method = "GET", .target = ClientPath(show->client, "/relay")});
  });
  AddClientOption(*cmd, show->client);
}

struct DkimArgs {
  std::int64_t client = 0;
  std::string domain;
  std::string selector;
  std::string algorithm;
  std::string key_file;
};

void AddDkimTarget(CLI::App& cmd, DkimArgs& a) {
  AddClientOption(cmd, a.client);
  cmd.add_option("--domain", a.domain, "Signing domain (d=), e.g. example.com")->required();
  cmd.add_option("--selector", a.selector, "Selector (s=): the key is at SELECTOR._domainkey")
      ->required();
}

void AddDkimVerbs(CommandSet& set, CLI::App& noun) {
  auto add = std::make_shared<DkimArgs>();
  CLI::App* cmd = set.Add(
      noun, "add", "Add (or replace) a DKIM signing key from a PEM file", [add]() -> Result<Invocation> {
        auto pem = ReadInputFile(add->key_file, "--key-file");
        if (!pem.ok()) return pem.status();
        Json body = {{"domain", add->domain}, {"selector", add->selector}};
        if (!add->algorithm.empty()) body["algorithm"] = add->algorithm;
        body["private_key_pem"] = std::move(*pem);
        return Invocation{.method = "POST", .target = ClientPath(add->client, "/dkim-keys"),
                          .body = std::move(body)};
      });
  AddDkimTarget(*cmd, *add);
  cmd->add_option("--key-file", add->key_file, "The private key, PEM (RSA or Ed25519)")
      ->required();
  cmd->add_option("--algorithm", add->algorithm,
                  "rsa-sha256 or ed25519-sha256; default: from the key")
      ->check(CLI::IsMember({"rsa-sha256", "ed25519-sha256"}));

  AddClientListVerb(set, noun, "List a client's DKIM keys (never the private keys)", "/dkim-keys",
                    kDkimColumns);

  auto remove = std::make_shared<DkimArgs>();
  cmd = set.Add(noun, "remove", "Remove a DKIM key", [remove] {
    return Result<Invocation>(Invocation{
        .method = "DELETE",
        .target = ClientPath(remove->client, "/dkim-keys/" + PercentEncode(remove->domain) + "/" +
                                                 PercentEncode(remove->selector)),
        .shape = Shape::kEmpty,
        .done = "removed DKIM key " + remove->selector + "._domainkey." + remove->domain});
  });
  AddDkimTarget(*cmd, *remove);
}

}  // namespace

void AddClientCommands(CommandSet& set, CLI::App& app) {
  AddClientVerbs(set, *app.add_subcommand("client", "Clients (tenants): create, list, show, update")
                           ->require_subcommand(1));
  AddKeyVerbs(set, *app.add_subcommand("key", "A client's admin API keys: create, list, delete")
                        ->require_subcommand(1));
  AddRelayVerbs(set, *app.add_subcommand("relay", "A client's relay (transport URL): set, show")
                          ->require_subcommand(1));
  AddDkimVerbs(set, *app.add_subcommand("dkim", "A client's DKIM keys: add, list, remove")
                         ->require_subcommand(1));
}

}  // namespace campaignd::admin::cli
