// The admin CLI on the real admin API (HandleAdmin in process) and a real
// store (store::TestDatabase: SQLite, or PostgreSQL in the pg.* run): what
// the operator sees, exit codes, --json, the import progress and CSV files.
// Also: every command maps onto a route the API really has.
#include "admin/cli/run.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "admin/cli/cli.h"
#include "admin/cli/command.h"
#include "admin/commands.h"
#include "core/clock.h"
#include "core/mail_id.h"
#include "store/catalog.h"
#include "store/store.h"
#include "store/store_testutil.h"

namespace campaignd::admin::cli {
namespace {

// The value of the "key  value" line of a record, "" when there is none.
std::string ValueOf(const std::string& record, const std::string& key) {
  std::istringstream lines(record);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(key + " ", 0) != 0) continue;
    const std::size_t value = line.find_first_not_of(' ', key.size());
    return value == std::string::npos ? "" : line.substr(value);
  }
  return "";
}

// One command line parsed by every admin command, as main.cc registers them
// (AddAdminCommands); `leaf` is the one selected (null when none was).
struct ParsedLine {
  CLI::App app{"campaignd"};
  std::unique_ptr<AdminCommands> commands = AddAdminCommands(app);
  const Leaf* leaf = nullptr;

  static std::unique_ptr<ParsedLine> Of(std::vector<std::string> args) {
    auto line = std::make_unique<ParsedLine>();
    std::reverse(args.begin(), args.end());
    line->app.parse(args);
    line->leaf = line->commands->set().Parsed();
    return line;
  }
};

struct Ran {
  int code = -1;
  std::string out;
  std::string err;
};

class RunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = store::OpenEngine(db_->url(), store::EngineOptions{});
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(*engine);
    catalog_ = std::make_unique<store::Catalog>(engine_->runner());
    context_ = std::make_unique<api::AdminContext>(api::AdminContext{
        .engine = *engine_, .catalog = *catalog_, .clock = clock_,
        .admin_key_hash = "", .public_url = "https://campaignd.example.net"});
    dir_ = std::filesystem::temp_directory_path() /
           ("cli-run-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    catalog_.reset();
    if (engine_) engine_->Close();
    std::filesystem::remove_all(dir_);
  }

  // One command line, as main.cc runs it (without the --db part).
  Ran Run(std::vector<std::string> args) {
    const auto line = ParsedLine::Of(std::move(args));
    const Leaf* leaf = line->leaf;
    EXPECT_NE(leaf, nullptr);
    Ran ran;
    std::ostringstream out, err;
    auto inv = leaf->build();
    if (!inv.ok()) {
      ran.code = kExitBadInput;
      ran.err = inv.status().message();
      return ran;
    }
    ran.code = RunInvocation(*inv, *context_, RunOptions{.command = leaf->name, .json = leaf->json},
                             out, err);
    ran.out = out.str();
    ran.err = err.str();
    return ran;
  }

  std::string File(const std::string& name, const std::string& content) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }

  // A client 1 with list 100 (firstname, orders).
  void MakeClientAndList() {
    ASSERT_EQ(Run({"client", "create", "--name", "Shoe Store", "--transport", "file:x"}).code,
              kExitOk);
    ASSERT_EQ(Run({"list", "create", "--client", "1", "--id", "100", "--name", "Customers",
                   "--field", "firstname:text", "--field", "orders:int"})
                  .code,
              kExitOk);
  }

  std::unique_ptr<store::TestDatabase> db_ = store::TestDatabase::CreateOrDie();
  std::unique_ptr<store::Engine> engine_;
  SystemClock clock_;
  std::unique_ptr<store::Catalog> catalog_;
  std::unique_ptr<api::AdminContext> context_;
  std::filesystem::path dir_;
};

TEST_F(RunTest, FromAnEmptyDatabaseAClientAsRecordTableAndJson) {
  Ran created = Run({"client", "create", "--name", "Shoe Store", "--transport",
                     "smtp://relayuser:s3cret@127.0.0.1:2525", "--bounce-limit", "3"});
  ASSERT_EQ(created.code, kExitOk) << created.err;
  EXPECT_EQ(created.err, "");
  EXPECT_EQ(ValueOf(created.out, "id"), "1") << created.out;
  EXPECT_EQ(ValueOf(created.out, "name"), "Shoe Store") << created.out;
  EXPECT_EQ(created.out.find("s3cret"), std::string::npos) << created.out;

  Ran table = Run({"client", "list"});
  ASSERT_EQ(table.code, kExitOk) << table.err;
  EXPECT_EQ(table.out.rfind("ID  NAME        TRANSPORT ", 0), 0u) << table.out;
  EXPECT_EQ(table.out.substr(table.out.find('\n') + 1).rfind("1   Shoe Store  smtp://relayuser:", 0),
            0u)
      << table.out;
  EXPECT_EQ(table.out.find("s3cret"), std::string::npos) << table.out;

  Ran json = Run({"client", "list", "--json"});
  ASSERT_EQ(json.code, kExitOk);
  const auto page = nlohmann::json::parse(json.out);
  ASSERT_EQ(page["items"].size(), 1u);
  EXPECT_EQ(page["items"][0]["name"], "Shoe Store");
}

TEST_F(RunTest, ErrorsPrintTheApiMessageAndTheExitCode) {
  Ran missing = Run({"client", "show", "99"});
  EXPECT_EQ(missing.code, kExitBadInput);
  EXPECT_EQ(missing.out, "");
  EXPECT_EQ(missing.err.rfind("campaignd client show: ", 0), 0u) << missing.err;
  EXPECT_NE(missing.err.find("(not_found, HTTP 404)"), std::string::npos) << missing.err;

  Ran json = Run({"client", "show", "99", "--json"});
  EXPECT_EQ(json.code, kExitBadInput);
  EXPECT_EQ(nlohmann::json::parse(json.out)["error"]["code"], "not_found");

  MakeClientAndList();
  Ran again = Run({"list", "create", "--client", "1", "--id", "100", "--name", "Twice"});
  EXPECT_EQ(again.code, kExitBadInput);
  EXPECT_NE(again.err.find("HTTP 409"), std::string::npos) << again.err;
  Ran lists = Run({"list", "list", "--client", "1", "--json"});
  ASSERT_EQ(nlohmann::json::parse(lists.out)["items"].size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(lists.out)["items"][0]["name"], "Customers");
}

TEST_F(RunTest, RecipientsOneByOneImportAndExport) {
  MakeClientAndList();
  Ran added = Run({"recipient", "add", "--client", "1", "--list", "100", "john@example.com",
                   "--field", "firstname=John", "--field", "orders=3"});
  ASSERT_EQ(added.code, kExitOk) << added.err;
  const std::string csv = File("people.csv",
                               "email,firstname,orders\n"
                               "anna@example.com,Anna,1\n"
                               "li@example.com,Li,0\n"
                               "not-an-address,X,1\n");
  Ran imported = Run({"recipient", "import", "--client", "1", "--list", "100", csv});
  ASSERT_EQ(imported.code, kExitOk) << imported.err;
  // Not a terminal here: plain progress lines, the last at 100%.
  EXPECT_NE(imported.err.find("import: 100%"), std::string::npos) << imported.err;
  EXPECT_NE(imported.err.find("3 rows"), std::string::npos) << imported.err;
  EXPECT_EQ(ValueOf(imported.out, "stored"), "2") << imported.out;
  EXPECT_EQ(ValueOf(imported.out, "rejected"), "1") << imported.out;

  Ran list = Run({"recipient", "list", "--client", "1", "--list", "100"});
  ASSERT_EQ(list.code, kExitOk) << list.err;
  for (const char* who : {"anna@example.com", "john@example.com", "li@example.com"}) {
    EXPECT_NE(list.out.find(who), std::string::npos) << list.out;
  }
  const std::string exported = (dir_ / "out.csv").string();
  Ran exp = Run({"recipient", "export", "--client", "1", "--list", "100", "-o", exported});
  ASSERT_EQ(exp.code, kExitOk) << exp.err;
  std::ifstream in(exported);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("john@example.com"), std::string::npos) << text;
  EXPECT_NE(text.find("Anna"), std::string::npos) << text;

  Ran gone = Run({"recipient", "import", "--client", "1", "--list", "100",
                  (dir_ / "missing.csv").string()});
  EXPECT_EQ(gone.code, kExitBadInput);
  EXPECT_NE(gone.err.find("cannot read " + (dir_ / "missing.csv").string() + ": "),
            std::string::npos)
      << gone.err;
  // A FIFO is refused before it is opened (opening it would wait for a writer).
  const std::filesystem::path fifo = dir_ / "import.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Ran piped = Run({"recipient", "import", "--client", "1", "--list", "100", fifo.string()});
  EXPECT_EQ(piped.code, kExitBadInput);
  EXPECT_NE(piped.err.find("cannot read " + fifo.string() + ": not a regular file"),
            std::string::npos)
      << piped.err;
}

TEST_F(RunTest, ACodeIsShownOnceAndNeverListed) {
  MakeClientAndList();
  Ran created = Run({"code", "create", "--client", "1", "--list", "100", "--name", "shop",
                     "--operation", "sendeventmail"});
  ASSERT_EQ(created.code, kExitOk) << created.err;
  const std::string code = ValueOf(created.out, "code");
  EXPECT_GE(code.size(), 16u) << created.out;
  EXPECT_NE(created.out.find("shown only now"), std::string::npos);
  Ran listed = Run({"code", "list", "--client", "1"});
  ASSERT_EQ(listed.code, kExitOk);
  EXPECT_NE(listed.out.find("shop"), std::string::npos) << listed.out;
  EXPECT_EQ(listed.out.find(code), std::string::npos) << listed.out;
}

TEST_F(RunTest, AnOptInProcessCreatedListedChangedAndDeleted) {
  ASSERT_EQ(Run({"client", "create", "--name", "Shoe Store", "--transport", "file:x",
                 "--redirect-host", "shop.example"})
                .code,
            kExitOk);
  ASSERT_EQ(Run({"list", "create", "--client", "1", "--id", "100", "--name", "Customers"}).code,
            kExitOk);
  Ran mailing = Run({"mailing", "create", "--client", "1", "--id", "7", "--name", "confirm",
                     "--type", "confirmation", "--list", "100", "--subject", "Please confirm"});
  ASSERT_EQ(mailing.code, kExitOk) << mailing.err;

  Ran created = Run({"optin", "create", "--client", "1", "--name", "Newsletter", "--kind",
                     "double", "--mailing", "7", "--confirmation-url",
                     "https://shop.example/thanks"});
  ASSERT_EQ(created.code, kExitOk) << created.err;
  EXPECT_EQ(ValueOf(created.out, "id"), "1") << created.out;
  EXPECT_EQ(ValueOf(created.out, "kind"), "double") << created.out;
  EXPECT_EQ(ValueOf(created.out, "mailing_id"), "7") << created.out;

  Ran refused = Run({"optin", "create", "--client", "1", "--name", "x", "--kind", "confirmed"});
  EXPECT_EQ(refused.code, kExitBadInput);
  EXPECT_NE(refused.err.find("mailing_id: a confirmed opt-in needs its confirmation mailing"),
            std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("HTTP 422"), std::string::npos) << refused.err;
  Ran evil = Run({"optin", "create", "--client", "1", "--name", "x", "--kind", "single",
                  "--confirmation-url", "https://evil.example/"});
  EXPECT_EQ(evil.code, kExitBadInput);
  EXPECT_NE(evil.err.find("evil.example"), std::string::npos) << evil.err;

  Ran table = Run({"optin", "list", "--client", "1"});
  ASSERT_EQ(table.code, kExitOk) << table.err;
  EXPECT_EQ(table.out.rfind("ID  NAME        KIND    MAILING  CONFIRMATION URL", 0), 0u)
      << table.out;
  EXPECT_NE(table.out.find("1   Newsletter  double  7        https://shop.example/thanks"),
            std::string::npos)
      << table.out;
  EXPECT_EQ(table.out.find("evil"), std::string::npos) << "refused processes are not stored";

  Ran changed = Run({"optin", "update", "--client", "1", "1", "--kind", "confirmed"});
  ASSERT_EQ(changed.code, kExitOk) << changed.err;
  Ran shown = Run({"optin", "show", "--client", "1", "1", "--json"});
  ASSERT_EQ(shown.code, kExitOk) << shown.err;
  const auto process = nlohmann::json::parse(shown.out);
  EXPECT_EQ(process["kind"], "confirmed");
  EXPECT_EQ(process["name"], "Newsletter");

  Ran deleted = Run({"optin", "delete", "--client", "1", "1"});
  ASSERT_EQ(deleted.code, kExitOk) << deleted.err;
  EXPECT_NE(deleted.out.find("deleted opt-in process 1"), std::string::npos) << deleted.out;
  Ran gone = Run({"optin", "show", "--client", "1", "1"});
  EXPECT_EQ(gone.code, kExitBadInput);
  EXPECT_NE(gone.err.find("HTTP 404"), std::string::npos) << gone.err;
}

TEST_F(RunTest, MailingFromFilesActivatedAndPreviewed) {
  MakeClientAndList();
  ASSERT_EQ(Run({"recipient", "add", "--client", "1", "--list", "100", "john@example.com",
                 "--field", "firstname=John"})
                .code,
            kExitOk);
  const std::string text = File("order.txt", "Hello {firstname}, thanks.\n");
  Ran created = Run({"mailing", "create", "--client", "1", "--id", "5000", "--name", "order",
                     "--type", "event", "--list", "100", "--from", "Shop <shop@example.com>",
                     "--subject", "Thank you, {firstname}", "--text-file", text});
  ASSERT_EQ(created.code, kExitOk) << created.err;
  EXPECT_NE(created.out.find("--- text ---\nHello {firstname}, thanks.\n"), std::string::npos)
      << created.out;
  ASSERT_EQ(Run({"mailing", "activate", "--client", "1", "5000"}).code, kExitOk);
  Ran twice = Run({"mailing", "activate", "--client", "1", "5000"});
  EXPECT_EQ(twice.code, kExitBadInput);
  EXPECT_NE(twice.err.find("HTTP 409"), std::string::npos) << twice.err;
  Ran preview = Run({"mailing", "preview", "--client", "1", "5000", "--list", "100",
                     "--recipient", "john@example.com"});
  ASSERT_EQ(preview.code, kExitOk) << preview.err;
  EXPECT_NE(preview.out.find("Thank you, John"), std::string::npos) << preview.out;
  EXPECT_NE(preview.out.find("--- text ---\nHello John, thanks."), std::string::npos)
      << preview.out;
}

TEST_F(RunTest, StatsEventsAndABounceReset) {
  MakeClientAndList();
  ASSERT_EQ(Run({"mailing", "create", "--client", "1", "--id", "5000", "--name", "news"}).code,
            kExitOk);
  const TimePoint now = clock_.Now();
  const store::events::Event open{.client_id = 1,
                                  .type = store::events::EventType::kOpen,
                                  .at = now - std::chrono::hours(2),
                                  .mailing_id = 5000,
                                  .address = "anna@example.com",
                                  .first = true};
  store::events::Event scanner = open;
  scanner.machine = true;
  scanner.first = false;
  Status s = engine_->runner().Write([&](store::SqlSession& session) -> Status {
    CAMPAIGND_RETURN_IF_ERROR(store::events::AppendAll(session, std::vector{open, scanner}));
    return session
        .Execute(
            "INSERT INTO bounces (client_id, address, hard_bounces) "
            "VALUES (1, 'anna@example.com', 2)",
            {}, "test bounces")
        .status();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();

  Ran stats = Run({"mailing", "stats", "--client", "1", "5000", "--step", "hour"});
  ASSERT_EQ(stats.code, kExitOk) << stats.err;
  EXPECT_NE(stats.out.find("step        hour"), std::string::npos) << stats.out;
  EXPECT_NE(stats.out.find("buckets:"), std::string::npos) << stats.out;
  Ran json = Run({"mailing", "stats", "--client", "1", "5000", "--json"});
  ASSERT_EQ(json.code, kExitOk) << json.err;
  const auto body = nlohmann::json::parse(json.out);
  EXPECT_EQ(body["totals"]["opens"], 2);
  EXPECT_EQ(body["totals"]["opens_human"], 1);
  EXPECT_EQ(body["totals"]["opens_machine"], 1);
  EXPECT_EQ(nlohmann::json::parse(Run({"client", "stats", "1", "--json"}).out)["totals"]["opens"],
            2);
  Ran bad = Run({"mailing", "stats", "--client", "1", "5000", "--step", "week"});
  EXPECT_EQ(bad.code, kExitBadInput);
  EXPECT_NE(bad.err.find("step: expected hour or day"), std::string::npos) << bad.err;
  Ran backwards = Run({"client", "stats", "1", "--from", "2026-02-01", "--to", "2026-01-01"});
  EXPECT_EQ(backwards.code, kExitBadInput);
  EXPECT_NE(backwards.err.find("from: must be before to"), std::string::npos) << backwards.err;

  Ran events = Run({"event", "list", "--client", "1"});
  ASSERT_EQ(events.code, kExitOk) << events.err;
  EXPECT_EQ(events.out.rfind("ID  TYPE  TIME", 0), 0u) << events.out;
  EXPECT_NE(events.out.find("anna@example.com"), std::string::npos) << events.out;

  Ran shown = Run({"bounce", "show", "--client", "1", "Anna@Example.com"});
  ASSERT_EQ(shown.code, kExitOk) << shown.err;
  EXPECT_EQ(ValueOf(shown.out, "hard_bounces"), "2") << shown.out;
  Ran wrong = Run({"bounce", "reset", "--client", "1", "anna"});
  EXPECT_EQ(wrong.code, kExitBadInput);
  EXPECT_NE(wrong.err.find("address"), std::string::npos) << wrong.err;
  Ran reset = Run({"bounce", "reset", "--client", "1", "Anna@Example.com"});
  ASSERT_EQ(reset.code, kExitOk) << reset.err;
  EXPECT_EQ(reset.out, "reset the bounce count of Anna@Example.com\n");
  EXPECT_EQ(
      ValueOf(Run({"bounce", "show", "--client", "1", "anna@example.com"}).out, "hard_bounces"),
      "0");
}

// "/admin/v1/clients/1/lists/100" matches "/admin/v1/clients/{client}/lists/{list}".
bool Matches(std::string_view target, std::string_view route) {
  target = target.substr(0, target.find('?'));
  auto split = [](std::string_view s) {
    std::vector<std::string_view> parts;
    for (std::size_t at = 0; at != std::string_view::npos;) {
      const std::size_t next = s.find('/', at);
      parts.push_back(s.substr(at, next == std::string_view::npos ? next : next - at));
      at = next == std::string_view::npos ? next : next + 1;
    }
    return parts;
  };
  const auto a = split(target), b = split(route);
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!b[i].empty() && b[i].front() == '{') {
      if (a[i].empty()) return false;
    } else if (a[i] != b[i]) {
      return false;
    }
  }
  return true;
}

TEST(CommandRoutesTest, EveryCommandIsARouteOfTheApi) {
  const std::string mail_id = MailId::Make(1, 7, "secret").ToString();
  const std::string pem = (std::filesystem::temp_directory_path() /
                           ("cli-routes-" + std::to_string(::getpid()) + ".pem")).string();
  std::ofstream(pem) << "-----BEGIN PRIVATE KEY-----\n";
  const std::vector<std::vector<std::string>> lines = {
      {"client", "create", "--name", "n"},
      {"client", "list"},
      {"client", "show", "1"},
      {"client", "update", "1", "--name", "n"},
      {"key", "create", "--client", "1"},
      {"key", "list", "--client", "1"},
      {"key", "delete", "--client", "1", "2"},
      {"relay", "set", "--client", "1", "file:x"},
      {"relay", "show", "--client", "1"},
      {"dkim", "add", "--client", "1", "--domain", "d", "--selector", "s", "--key-file", pem},
      {"dkim", "list", "--client", "1"},
      {"dkim", "remove", "--client", "1", "--domain", "d", "--selector", "s"},
      {"list", "create", "--client", "1", "--name", "n"},
      {"list", "list", "--client", "1"},
      {"list", "show", "--client", "1", "2"},
      {"list", "update", "--client", "1", "2", "--test"},
      {"list", "delete", "--client", "1", "2"},
      {"field", "add", "--client", "1", "--list", "2", "f", "int"},
      {"field", "list", "--client", "1", "--list", "2"},
      {"field", "remove", "--client", "1", "--list", "2", "f"},
      {"recipient", "add", "--client", "1", "--list", "2", "a@b.c"},
      {"recipient", "list", "--client", "1", "--list", "2"},
      {"recipient", "show", "--client", "1", "--list", "2", "a@b.c"},
      {"recipient", "update", "--client", "1", "--list", "2", "a@b.c"},
      {"recipient", "remove", "--client", "1", "--list", "2", "a@b.c"},
      {"recipient", "import", "--client", "1", "--list", "2", "f.csv"},
      {"recipient", "export", "--client", "1", "--list", "2"},
      {"mailing", "create", "--client", "1", "--name", "n"},
      {"mailing", "list", "--client", "1"},
      {"mailing", "show", "--client", "1", "3"},
      {"mailing", "update", "--client", "1", "3", "--subject", "s"},
      {"mailing", "delete", "--client", "1", "3"},
      {"mailing", "status", "--client", "1", "3", "DONE"},
      {"mailing", "activate", "--client", "1", "3"},
      {"mailing", "pause", "--client", "1", "3"},
      {"mailing", "resume", "--client", "1", "3"},
      {"mailing", "finish", "--client", "1", "3"},
      {"mailing", "cancel", "--client", "1", "3"},
      {"mailing", "preview", "--client", "1", "3", "--list", "2", "--recipient", "a@b.c"},
      {"code", "create", "--client", "1", "--name", "c", "--list", "2"},
      {"code", "list", "--client", "1"},
      {"code", "show", "--client", "1", "c"},
      {"code", "update", "--client", "1", "c", "--disabled"},
      {"code", "delete", "--client", "1", "c"},
      {"blocklist", "add", "--client", "1", "*@x.y"},
      {"blocklist", "list", "--client", "1"},
      {"blocklist", "remove", "--client", "1", "*@x.y"},
      {"optin", "create", "--client", "1", "--name", "n", "--kind", "single"},
      {"optin", "list", "--client", "1"},
      {"optin", "show", "--client", "1", "4"},
      {"optin", "update", "--client", "1", "4", "--kind", "double", "--mailing", "3"},
      {"optin", "delete", "--client", "1", "4"},
      {"mail", mail_id, "--json"},
      {"mail", "search", "--client", "1"},
      {"mailing", "stats", "--client", "1", "3", "--step", "hour"},
      {"client", "stats", "1"},
      {"event", "list", "--client", "1"},
      {"bounce", "show", "--client", "1", "a@b.c"},
      {"bounce", "reset", "--client", "1", "a@b.c"}};
  std::set<std::string> covered;
  for (const auto& args : lines) {
    const auto line = ParsedLine::Of(args);
    const Leaf* leaf = line->leaf;
    ASSERT_NE(leaf, nullptr);
    covered.insert(leaf->name);
    auto inv = leaf->build();
    ASSERT_TRUE(inv.ok()) << leaf->name << ": " << inv.status().ToString();
    const auto routes = api::AdminRoutes();
    const bool found = std::any_of(routes.begin(), routes.end(), [&](const api::RouteInfo& r) {
      return r.method == inv->method && Matches(inv->target, r.path);
    });
    EXPECT_TRUE(found) << leaf->name << ": no route " << inv->method << " " << inv->target;
  }
  std::filesystem::remove(pem);
  EXPECT_EQ(covered.size(), 59u);  // every leaf but `mail purge`, which runs locally
}

}  // namespace
}  // namespace campaignd::admin::cli
