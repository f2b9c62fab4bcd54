// What happens after the relay, seen from the command line (events.md §1,
// §2, §5; docs/admin-api.yaml): `mailing stats` and `client stats` (the
// counters by hour or day), `event list` (a client's events, oldest
// first), `bounce show` and `bounce reset` (a recipient's hard-bounce
// count). Registered after the nouns they extend (cli.cc).
#include <CLI/CLI.hpp>
#include <memory>

#include "admin/cli/command.h"

namespace campaignd::admin::cli {
namespace {

// The event's JSON form (store/sql/event_json.h); the type's own fields
// (status, url...) are in `--json`.
const std::vector<Column> kEventColumns = {{"ID", "id"},           {"TYPE", "type"},
                                           {"TIME", "time"},       {"MAIL ID", "mailId"},
                                           {"MAILING", "mailing"}, {"RECIPIENT", "recipient"}};

struct StatsArgs {
  std::int64_t client = 0;
  std::int64_t mailing = 0;
  std::string from;
  std::string to;
  std::string step;
};

void AddRangeOptions(CLI::App& cmd, StatsArgs& a) {
  cmd.add_option("--from", a.from,
                 "First hour counted (RFC 3339 like 2026-11-28T10:00:00Z, a day like 2026-11-28, "
                 "or unix ms); default: 7 days before --to");
  cmd.add_option("--to", a.to, "End of the range, not included (same forms); default: now");
  cmd.add_option("--step", a.step, "hour or day (default day)");
}

Invocation StatsInvocation(std::string path, const StatsArgs& a) {
  return Invocation{
      .method = "GET",
      .target = WithQuery(std::move(path), {{"from", a.from}, {"to", a.to}, {"step", a.step}})};
}

struct BounceArgs {
  std::int64_t client = 0;
  std::string address;
};

std::string BouncePath(const BounceArgs& a) {
  return ClientPath(a.client, "/bounces/" + PercentEncode(a.address));
}

}  // namespace

void AddEventCommands(CommandSet& set, CLI::App& app) {
  auto mailing = std::make_shared<StatsArgs>();
  CLI::App* cmd = set.Add(
      *app.get_subcommand("mailing"), "stats",
      "A mailing's counters by hour or day: enqueued, sent, failed, bounces (hard, soft), "
      "complaints, unsubscribes, opens and clicks (total, unique, human, machine), clicks per "
      "link",
      [mailing] {
        return Result<Invocation>(StatsInvocation(
            ClientPath(mailing->client, "/mailings/" + std::to_string(mailing->mailing) + "/stats"),
            *mailing));
      });
  AddClientOption(*cmd, mailing->client);
  cmd->add_option("ID", mailing->mailing, "The mailing's ID")->required();
  AddRangeOptions(*cmd, *mailing);

  auto client = std::make_shared<StatsArgs>();
  cmd = set.Add(
      *app.get_subcommand("client"), "stats",
      "A client's counters of all its mail by hour or day (as mailing stats)", [client] {
        return Result<Invocation>(StatsInvocation(ClientPath(client->client, "/stats"), *client));
      });
  cmd->add_option("ID", client->client, "The client's ID")->required();
  AddRangeOptions(*cmd, *client);

  CLI::App& event = *app.add_subcommand(
      "event", "A client's events (sent, bounce, open, click, unsubscribe...): list");
  AddClientListVerb(set, event, "List a client's events, oldest first (--cursor: after this ID)",
                    "/events", kEventColumns);

  CLI::App& bounce = *app.add_subcommand(
      "bounce", "A recipient's hard-bounce count (the bounce limit): show, reset");
  auto show = std::make_shared<BounceArgs>();
  cmd =
      set.Add(bounce, "show", "Show an address's hard-bounce count and the client's limit", [show] {
        return Result<Invocation>(Invocation{.method = "GET", .target = BouncePath(*show)});
      });
  AddClientOption(*cmd, show->client);
  cmd->add_option("ADDRESS", show->address, "The recipient's address")->required();
  auto reset = std::make_shared<BounceArgs>();
  cmd = set.Add(bounce, "reset",
                "Reset an address's hard-bounce count to 0: mail to it is sent again", [reset] {
                  return Result<Invocation>(
                      Invocation{.method = "DELETE",
                                 .target = BouncePath(*reset),
                                 .shape = Shape::kEmpty,
                                 .done = "reset the bounce count of " + reset->address});
                });
  AddClientOption(*cmd, reset->client);
  cmd->add_option("ADDRESS", reset->address, "The recipient's address")->required();
}

}  // namespace campaignd::admin::cli
