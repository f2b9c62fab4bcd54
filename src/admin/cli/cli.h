// The operator's admin commands, `campaignd <noun> <verb>` (client, key,
// relay, dkim, list, field, recipient, mailing, code, blocklist, optin,
// mail): the same operations as the admin JSON API (docs/admin-api.yaml),
// run in process as the operator on the database of --db. Tables by default,
// --json for scripts. main.cc registers them before parsing and runs the
// one parsed; everything else lives in admin/cli/.
// Errors: one line naming the problem on `err`; exit codes of
// admin/commands.h (kExitBadInput: nothing changed; kExitDatabaseError).
#ifndef CAMPAIGND_ADMIN_CLI_CLI_H_
#define CAMPAIGND_ADMIN_CLI_CLI_H_

#include <memory>
#include <optional>
#include <ostream>

namespace CLI {
class App;
}

namespace campaignd::admin::cli {

class CommandSet;

// The registered commands; must outlive parsing and RunAdminCommand.
class AdminCommands {
 public:
  explicit AdminCommands(std::unique_ptr<CommandSet> set);
  ~AdminCommands();
  const CommandSet& set() const { return *set_; }

 private:
  std::unique_ptr<CommandSet> set_;
};

// Adds every admin noun and verb to `app`.
std::unique_ptr<AdminCommands> AddAdminCommands(CLI::App& app);

// After app.parse: runs the admin command the command line selected and
// returns its exit code; nullopt when none of them was selected.
std::optional<int> RunAdminCommand(const AdminCommands& commands, std::ostream& out,
                                   std::ostream& err);

}  // namespace campaignd::admin::cli

#endif  // CAMPAIGND_ADMIN_CLI_CLI_H_
