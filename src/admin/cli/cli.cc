#include "admin/cli/cli.h"

#include <unistd.h>

#include <CLI/CLI.hpp>

#include "admin/cli/command.h"
#include "admin/cli/run.h"
#include "admin/commands.h"
#include "config/config.h"
#include "core/clock.h"
#include "store/catalog.h"
#include "store/store.h"

namespace campaignd::admin::cli {

AdminCommands::AdminCommands(std::unique_ptr<CommandSet> set) : set_(std::move(set)) {}
AdminCommands::~AdminCommands() = default;

std::unique_ptr<AdminCommands> AddAdminCommands(CLI::App& app) {
  auto set = std::make_unique<CommandSet>();
  AddClientCommands(*set, app);
  AddListCommands(*set, app);
  AddRecipientCommands(*set, app);
  AddMailingCommands(*set, app);
  AddAccessCommands(*set, app);
  AddOptInCommands(*set, app);
  AddWebhookCommands(*set, app);
  AddMailCommands(*set, app);
  AddEventCommands(*set, app);
  return std::make_unique<AdminCommands>(std::move(set));
}

std::optional<int> RunAdminCommand(const AdminCommands& commands, std::ostream& out,
                                   std::ostream& err) {
  const Leaf* leaf = commands.set().Parsed();
  if (leaf == nullptr) return std::nullopt;
  const RunOptions options{.command = leaf->name,
                           .json = leaf->json,
                           .progress_terminal = ::isatty(STDERR_FILENO) == 1};
  auto invocation = leaf->build();
  if (!invocation.ok()) {
    err << "campaignd " << leaf->name << ": " << invocation.status().message() << "\n";
    return kExitBadInput;
  }
  auto config = campaignd::config::LoadConfig(leaf->db, campaignd::config::ProcessEnvironment());
  if (!config.ok()) {
    err << "campaignd " << leaf->name << ": " << config.status().message() << "\n";
    return kExitBadInput;
  }
  if (invocation->local) return invocation->local(*config, out, err);
  auto engine = store::OpenEngine(config->db, store::EngineOptions{});
  if (!engine.ok()) {
    err << "campaignd " << leaf->name << ": cannot open " << store::RedactUrl(config->db) << ": "
        << engine.status().ToString() << "\n";
    return kExitDatabaseError;
  }
  auto catalog = std::make_unique<store::Catalog>((*engine)->runner());
  SystemClock clock;
  const api::AdminContext context{
      .engine = **engine,
      .catalog = *catalog,
      .clock = clock,
      .admin_key_hash = "",
      .public_url = config->public_url,
      .client_relay_hosts = config->client_relay_hosts,
      .address_literals = Address::Literals(config->allow_address_literals)};
  const int code = RunInvocation(*invocation, context, options, out, err);
  catalog.reset();  // before the engine whose connections it shares
  (*engine)->Close();
  return code;
}

}  // namespace campaignd::admin::cli
