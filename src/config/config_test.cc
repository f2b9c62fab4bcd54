#include "config/config.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>

#include "config/config_keys.h"

namespace campaignd::config {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("config_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path Write(std::string_view text) {
    const auto path = dir_ / "campaignd.toml";
    std::ofstream(path) << text;
    return path;
  }

  // The error message for a file with `text` (and no environment).
  std::string FileError(std::string_view text) {
    auto config = LoadConfig(Write(text), Env({}), {});
    EXPECT_FALSE(config.ok());
    if (config.ok()) return "";
    EXPECT_TRUE(config.status().IsInvalidArgument());
    const std::string prefix = (dir_ / "campaignd.toml").string();
    std::string message = config.status().message();
    EXPECT_EQ(message.rfind(prefix, 0), 0u) << message;
    return message.substr(std::min(message.size(), prefix.size()));
  }

  std::filesystem::path dir_;
};

TEST_F(ConfigTest, DefaultsComeFromLimits) {
  auto config = LoadConfig(std::nullopt, Env({}), {});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->db, "sqlite:campaignd.db");
  EXPECT_EQ(config->role, "all");
  EXPECT_EQ(config->listen, "127.0.0.1:8080");
  EXPECT_EQ(config->tls_listen, "");
  EXPECT_EQ(config->public_url, "http://127.0.0.1:8080");
  EXPECT_EQ(config->io_threads, 2);
  EXPECT_EQ(config->blocking_threads, 64);
  EXPECT_EQ(config->delivery_workers, 8);
  EXPECT_EQ(config->claim_batch, static_cast<int>(limits::kClaimBatch));
  EXPECT_EQ(config->lease, seconds(300));
  EXPECT_EQ(config->min_backoff, seconds(60));
  EXPECT_EQ(config->max_backoff, seconds(3600));
  EXPECT_EQ(config->lifetime, hours(24));
  EXPECT_EQ(config->status_retention, hours(24 * 14));
  EXPECT_EQ(config->event_retention, hours(24 * 90));
  EXPECT_EQ(config->webhook_attempt_retention, hours(24 * 90));
  EXPECT_EQ(config->purge_interval, hours(1));
  EXPECT_EQ(config->idle_poll, milliseconds(1000));
  EXPECT_EQ(config->header_timeout, limits::kHeaderReadTimeout);
  EXPECT_EQ(config->body_timeout, limits::kBodyReadTimeout);
  EXPECT_EQ(config->keep_alive_timeout, limits::kKeepAliveIdleTimeout);
  EXPECT_TRUE(config->trusted_proxies.empty());
  EXPECT_EQ(config->log_level, "info");
  EXPECT_EQ(config->log_format, "text");
  EXPECT_EQ(config->outbox_root, ".");
  EXPECT_TRUE(config->client_relay_hosts.empty());
  EXPECT_FALSE(config->allow_address_literals);
  EXPECT_EQ(config->optin_frequency_limit, minutes(10));
  EXPECT_EQ(config->optin_source_limit, 100);
  EXPECT_EQ(config->optin_source_window, minutes(10));
  EXPECT_FALSE(config->allow_insecure_permissions);
}

TEST_F(ConfigTest, BooleansAreTrueOrFalseEverywhere) {
  auto from_file = LoadConfig(Write("allow_insecure_permissions = true\n"), Env({}), {});
  ASSERT_TRUE(from_file.ok()) << from_file.status().ToString();
  EXPECT_TRUE(from_file->allow_insecure_permissions);
  auto from_env = LoadConfig(std::nullopt, Env({{"CAMPAIGND_ALLOW_INSECURE_PERMISSIONS", "true"}}),
                             {{"allow_insecure_permissions", "false"}});
  ASSERT_TRUE(from_env.ok()) << from_env.status().ToString();
  EXPECT_FALSE(from_env->allow_insecure_permissions);  // the command line wins
  EXPECT_EQ(FileError("allow_insecure_permissions = \"yes\"\n"),
            ":1: allow_insecure_permissions: expected true or false");
  auto bad = LoadConfig(std::nullopt, Env({{"CAMPAIGND_ALLOW_INSECURE_PERMISSIONS", "1"}}), {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "CAMPAIGND_ALLOW_INSECURE_PERMISSIONS: expected true or false");
}

TEST_F(ConfigTest, CommandLineBeatsEnvironmentBeatsFileBeatsDefault) {
  const auto file = Write(
      "db = \"sqlite:/var/lib/campaignd/file.db\"\n"
      "listen = \"0.0.0.0:80\"\n"
      "lease = \"10m\"\n"
      "io_threads = 4\n"
      "trusted_proxies = [\"10.0.0.0/8\", \"::1/128\"]\n");
  auto config = LoadConfig(file,
                           Env({{"CAMPAIGND_LISTEN", "127.0.0.1:9000"},
                                {"CAMPAIGND_LEASE", "20m"},
                                {"CAMPAIGND_IDLE_POLL", "250ms"}}),
                           {{"lease", "30m"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->db, "sqlite:/var/lib/campaignd/file.db");  // file
  EXPECT_EQ(config->listen, "127.0.0.1:9000");                 // environment over file
  EXPECT_EQ(config->lease, minutes(30));                       // command line over both
  EXPECT_EQ(config->io_threads, 4);                            // file
  EXPECT_EQ(config->idle_poll, milliseconds(250));             // environment
  EXPECT_EQ(config->trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "::1/128"}));
  EXPECT_EQ(config->delivery_workers, 8);  // default
}

TEST_F(ConfigTest, ListsFromTextAreCommaSeparated) {
  auto config = LoadConfig(std::nullopt,
                           Env({{"CAMPAIGND_TRUSTED_PROXIES", " 10.0.0.0/8, 192.168.1.1 "}}), {});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "192.168.1.1"}));
}

TEST_F(ConfigTest, ConfigFileFromOverridesOrEnvironment) {
  const auto file = Write("delivery_workers = 3\n");
  ConfigOverrides overrides;
  auto from_env = LoadConfig(overrides, Env({{"CAMPAIGND_CONFIG", file.string()}}));
  ASSERT_TRUE(from_env.ok()) << from_env.status().ToString();
  EXPECT_EQ(from_env->delivery_workers, 3);
  overrides.config_file = (dir_ / "missing.toml").string();
  auto missing = LoadConfig(overrides, Env({{"CAMPAIGND_CONFIG", file.string()}}));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("missing.toml: No such file"), std::string::npos);
}

TEST_F(ConfigTest, PublicUrlLosesTrailingSlash) {
  auto config = LoadConfig(std::nullopt, Env({}), {{"public_url", "https://mail.example.com/"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->public_url, "https://mail.example.com");
}

TEST_F(ConfigTest, FileErrorsNameLineAndKey) {
  EXPECT_EQ(FileError("io_threads = 2\n\n\n\n\n\nlease = 300\n"),
            ":7: lease: expected a duration like '300s' (units ms, s, m, h, d)");
  EXPECT_EQ(FileError("lease = \"5 minutes\"\n"),
            ":1: lease: expected a duration like '300s' (units ms, s, m, h, d)");
  EXPECT_EQ(FileError("lease = \"1500ms\"\n"), ":1: lease: expected whole seconds like '300s'");
  EXPECT_EQ(FileError("lease = \"0s\"\n"),
            ":1: lease: expected a duration like '300s' (units ms, s, m, h, d)");
  EXPECT_EQ(FileError("io_threads = \"2\"\n"),
            ":1: io_threads: expected a positive integer up to 100000");
  EXPECT_EQ(FileError("io_threads = 0\n"),
            ":1: io_threads: expected a positive integer up to 100000");
  EXPECT_EQ(FileError("db = 5\n"), ":1: db: expected a string");
  EXPECT_EQ(FileError("db = \"mysql://x\"\n"),
            ":1: db: expected 'sqlite:PATH' or 'postgresql://...'");
  EXPECT_EQ(FileError("listen = \"8080\"\n"),
            ":1: listen: expected HOST:PORT like '127.0.0.1:8080' or '[::1]:8080'");
  EXPECT_EQ(FileError("listen = \"::1:8080\"\n"),
            ":1: listen: expected HOST:PORT like '127.0.0.1:8080' or '[::1]:8080'");
  EXPECT_EQ(FileError("listen = \"host:70000\"\n"),
            ":1: listen: expected HOST:PORT like '127.0.0.1:8080' or '[::1]:8080'");
  EXPECT_EQ(FileError("public_url = \"ftp://x\"\n"),
            ":1: public_url: expected an absolute http or https URL like "
            "'https://mail.example.com'");
  EXPECT_EQ(FileError("public_url = \"https://x/?a=1\"\n"),
            ":1: public_url: must not contain user info, a query or a fragment");
  EXPECT_EQ(FileError("log_level = \"verbose\"\n"),
            ":1: log_level: expected one of trace, debug, info, warn, error, critical, off");
  EXPECT_EQ(FileError("log_format = \"xml\"\n"), ":1: log_format: expected text or json");
  EXPECT_EQ(FileError("role = \"both\"\n"), ":1: role: expected all, api or worker");
  EXPECT_EQ(FileError("trusted_proxies = \"10.0.0.0/8\"\n"),
            ":1: trusted_proxies: expected an array of strings like [\"10.0.0.0/8\"]");
  EXPECT_EQ(FileError("trusted_proxies = [\"10.0.0.0/33\"]\n"),
            ":1: trusted_proxies: '10.0.0.0/33' is not a CIDR range like '10.0.0.0/8' or "
            "'::1/128'");
  EXPECT_EQ(FileError("unsubscribe_mailto = \"not an address\"\n"),
            ":1: unsubscribe_mailto: expected an email address like 'unsubscribe@example.com'");
}

TEST_F(ConfigTest, UnknownKeysAndSyntaxErrorsAreRefused) {
  EXPECT_EQ(FileError("io_threads = 2\nlese = \"5m\"\n"),
            ":2: unknown key 'lese' in the configuration file (did you mean 'lease'?)");
  EXPECT_EQ(FileError("[server]\nlisten = \"x:1\"\n"),
            ":1: unknown key 'server' in the configuration file");
  EXPECT_EQ(FileError("lease = \n").substr(0, 3), ":1:");
}

TEST_F(ConfigTest, AllProblemsAreReportedOnePerLine) {
  auto config = LoadConfig(Write("lease = 1\nio_threads = -1\n"),
                           Env({{"CAMPAIGND_MAX_BACKOFF", "soon"}}), {{"log_format", "xml"}});
  ASSERT_FALSE(config.ok());
  const std::string file = (dir_ / "campaignd.toml").string();
  EXPECT_EQ(config.status().message(),
            file + ":1: lease: expected a duration like '300s' (units ms, s, m, h, d)\n" + file +
                ":2: io_threads: expected a positive integer up to 100000\n"
                "CAMPAIGND_MAX_BACKOFF: expected a duration like '300s' (units ms, s, m, h, d)\n"
                "--log-format: expected text or json");
}

TEST_F(ConfigTest, EnvironmentAndCommandLineErrorsNameTheirSource) {
  auto env = LoadConfig(std::nullopt, Env({{"CAMPAIGND_LEASE", "300"}}), {});
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().message(),
            "CAMPAIGND_LEASE: expected a duration like '300s' (units ms, s, m, h, d)");
  auto cli = LoadConfig(std::nullopt, Env({}), {{"delivery_workers", "many"}});
  ASSERT_FALSE(cli.ok());
  EXPECT_EQ(cli.status().message(), "--delivery-workers: expected a positive integer up to 100000");
  auto unknown = LoadConfig(std::nullopt, Env({}), {{"no_such_key", "1"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "--no-such-key: unknown setting");
}

// docs/decisions/0014-relay-policy.md: the relay policy's settings.
TEST_F(ConfigTest, RelayPolicySettings) {
  auto file =
      LoadConfig(Write("outbox_root = \"/var/spool/campaignd\"\n"
                       "client_relay_hosts = [\"relay.example.com\", \"*.mailer.example:*\","
                       " \"[::1]:2525\"]\n"
                       "allow_address_literals = true\n"),
                 Env({}), {});
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->outbox_root, "/var/spool/campaignd");
  EXPECT_EQ(file->client_relay_hosts,
            (std::vector<std::string>{"relay.example.com", "*.mailer.example:*", "[::1]:2525"}));
  EXPECT_TRUE(file->allow_address_literals);
  auto env = LoadConfig(std::nullopt,
                        Env({{"CAMPAIGND_ALLOW_ADDRESS_LITERALS", "true"},
                             {"CAMPAIGND_CLIENT_RELAY_HOSTS", "a.example, b.example:2525"}}),
                        {{"allow_address_literals", "false"}});
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_FALSE(env->allow_address_literals);  // the command line wins
  EXPECT_EQ(env->client_relay_hosts, (std::vector<std::string>{"a.example", "b.example:2525"}));

  EXPECT_EQ(FileError("allow_address_literals = \"yes\"\n"),
            ":1: allow_address_literals: expected true or false");
  EXPECT_EQ(FileError("client_relay_hosts = [\"smtp://relay\"]\n"),
            ":1: client_relay_hosts: 'smtp://relay' is not a relay host pattern like "
            "relay.example.com, relay.example.com:2525, *.example.com:*, 192.0.2.7 or "
            "[2001:db8::7]:587");
  EXPECT_EQ(FileError("outbox_root = \"\"\n"),
            ":1: outbox_root: expected a directory (\".\" for the working directory)");
  auto bad = LoadConfig(std::nullopt, Env({{"CAMPAIGND_ALLOW_ADDRESS_LITERALS", "1"}}), {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "CAMPAIGND_ALLOW_ADDRESS_LITERALS: expected true or false");
}

// issue 15: a key that can never be sent back intact in "Authorization:
// Bearer KEY" is refused at start, without echoing it.
TEST_F(ConfigTest, AdminKeysWithBlanksOrControlCharactersAreRefused) {
  const std::string good = "abcdefghijklmnopqrstuvwxyz012345";
  const std::string tail =
      ": expected printable ASCII characters without blanks (a trailing "
      "newline from a key file?)";
  struct Row {
    std::string key;
    std::string problem;
  };
  const Row rows[] = {
      {std::string(32, ' '), "contains a blank at position 1 of 32"},
      {good + "\n", "contains a newline at position 33 of 33"},
      {good + "\r\n", "contains a carriage return at position 33 of 34"},
      {"\t" + good, "contains a tab at position 1 of 33"},
      {good.substr(0, 10) + " " + good.substr(10), "contains a blank at position 11 of 33"},
      {good + std::string(1, '\0'), "contains a control character at position 33 of 33"},
      {good + "\x7f", "contains a control character at position 33 of 33"},
      {good + "\xc2\xa0", "contains a non-ASCII byte at position 33 of 34"},
  };
  for (const Row& row : rows) {
    auto config = LoadConfig(std::nullopt, Env({{"CAMPAIGND_ADMIN_KEY", row.key}}), {});
    ASSERT_FALSE(config.ok()) << row.problem;
    EXPECT_EQ(config.status().message(), "CAMPAIGND_ADMIN_KEY: " + row.problem + tail);
  }
  EXPECT_EQ(FileError("admin_key = \"" + good + "\\n\"\n"),
            ":1: admin_key: contains a newline at position 33 of 33" + tail);
  EXPECT_EQ(FileError("admin_key = \"short\"\n"), ":1: admin_key: expected at least 24 characters");
  auto fine = LoadConfig(std::nullopt, Env({{"CAMPAIGND_ADMIN_KEY", good + "!~"}}), {});
  EXPECT_TRUE(fine.ok()) << fine.status().ToString();
}

TEST_F(ConfigTest, CombinationsAreChecked) {
  auto tls = LoadConfig(Write("tls_listen = \"0.0.0.0:443\"\ntls_cert = \"c.pem\"\n"), Env({}), {});
  ASSERT_FALSE(tls.ok());
  EXPECT_EQ(tls.status().message(),
            (dir_ / "campaignd.toml").string() + ":1: tls_listen: needs tls_cert and tls_key");
  auto backoff = LoadConfig(std::nullopt, Env({{"CAMPAIGND_MIN_BACKOFF", "2h"}}), {});
  ASSERT_FALSE(backoff.ok());
  EXPECT_EQ(backoff.status().message(),
            "CAMPAIGND_MIN_BACKOFF: min_backoff (2h) exceeds max_backoff (1h)");
  auto ok = LoadConfig(std::nullopt, Env({}),
                       {{"tls_listen", "[::]:8443"}, {"tls_cert", "c.pem"}, {"tls_key", "k.pem"}});
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
}

TEST(DurationTest, ParseAndFormat) {
  EXPECT_EQ(ParseDuration("30s"), milliseconds(30000));
  EXPECT_EQ(ParseDuration("5m"), milliseconds(300000));
  EXPECT_EQ(ParseDuration("24h"), milliseconds(86400000));
  EXPECT_EQ(ParseDuration("14d"), milliseconds(14LL * 86400000));
  EXPECT_EQ(ParseDuration("250ms"), milliseconds(250));
  EXPECT_EQ(ParseDuration("5"), std::nullopt);
  EXPECT_EQ(ParseDuration("s"), std::nullopt);
  EXPECT_EQ(ParseDuration("-5s"), std::nullopt);
  EXPECT_EQ(ParseDuration("5 s"), std::nullopt);
  EXPECT_EQ(ParseDuration("5w"), std::nullopt);
  EXPECT_EQ(ParseDuration("9999999999d"), std::nullopt);
  EXPECT_EQ(FormatDuration(seconds(300)), "5m");
  EXPECT_EQ(FormatDuration(hours(24 * 14)), "14d");
  EXPECT_EQ(FormatDuration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(FormatDuration(seconds(90)), "90s");
}

TEST(ConfigOptionsTest, CommandLineOptionsFillOverrides) {
  CLI::App app("test");
  ConfigOverrides overrides;
  AddConfigOptions(app, overrides, ConfigScope::kServer);
  std::vector<std::string> args = {"--trusted-proxies", "::1/128", "10.0.0.0/8", "--lease",    "5m",
                                   "--config",          "x.toml",  "--db",       "sqlite:y.db"};
  std::reverse(args.begin(), args.end());
  app.parse(args);
  EXPECT_EQ(overrides.config_file, "x.toml");
  EXPECT_EQ(
      overrides.values,
      (std::map<std::string, std::string>{
          {"db", "sqlite:y.db"}, {"lease", "5m"}, {"trusted_proxies", "::1/128,10.0.0.0/8"}}));
  const std::string help = app.help();
  EXPECT_NE(help.find("--tls-listen"), std::string::npos);
  EXPECT_NE(help.find("[default: 5m; env CAMPAIGND_LEASE]"), std::string::npos) << help;
}

TEST(ConfigOptionsTest, DatabaseScopeOffersOnlyConfigAndDb) {
  CLI::App app("test");
  ConfigOverrides overrides;
  AddConfigOptions(app, overrides, ConfigScope::kDatabase);
  const std::string help = app.help();
  EXPECT_NE(help.find("--db"), std::string::npos);
  EXPECT_NE(help.find("--config"), std::string::npos);
  EXPECT_EQ(help.find("--lease"), std::string::npos);
  std::vector<std::string> args = {"5m", "--lease"};
  EXPECT_THROW(app.parse(args), CLI::ExtrasError);
}

TEST(ConfigExampleTest, ExampleFileHoldsTheDefaultsAndDocumentsEveryKey) {
  const std::filesystem::path file =
      std::filesystem::path(CAMPAIGND_EXAMPLES_DIR) / "campaignd.toml";
  auto config = LoadConfig(file, Env({}), {});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(*config == Config{});
  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const auto& key : ConfigKeys()) {
    const std::string name(key.name);
    EXPECT_TRUE(text.find("\n" + name + " = ") != std::string::npos ||
                text.find("\n# " + name + " = ") != std::string::npos)
        << name << " is not documented in examples/campaignd.toml";
  }
}

}  // namespace
}  // namespace campaignd::config
