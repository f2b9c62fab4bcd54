// Config: every server setting with its default, and where it comes from.
// Precedence, highest first: command line (--lease 5m) > environment
// (CAMPAIGND_LEASE=5m, one variable per key, upper-case) > TOML file
// (--config FILE or CAMPAIGND_CONFIG; keys as in the struct) > defaults
// (core/limits.h where a constant exists). examples/campaignd.toml documents
// every key. Durations are written with a unit: "500ms", "30s", "5m", "24h",
// "14d". Callers: main.cc (LoadConfig, AddConfigOptions).
// Errors: InvalidArgument naming the source and key, e.g.
//   "campaignd.toml:7: lease: expected a duration like '300s'"
//   "CAMPAIGND_LEASE: expected a duration like '300s'", "--lease: ..."
// Unknown keys in the file are errors (typos must not be silently ignored).
#ifndef CAMPAIGND_CONFIG_CONFIG_H_
#define CAMPAIGND_CONFIG_CONFIG_H_

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.h"
#include "core/status.h"

namespace CLI {
class App;
}

namespace campaignd::config {

struct Config {
  std::string db = "sqlite:campaignd.db";            // store::OpenEngine URL
  std::string role = "all";                          // all | api | worker (behaviour.md §6)
  std::string listen = "127.0.0.1:8080";             // public API, plain HTTP
  std::string tls_listen;                            // public API over TLS; empty = off
  std::string tls_cert;                              // PEM chain; required with tls_listen
  std::string tls_key;                               // PEM key; required with tls_listen
  std::string public_url = "http://127.0.0.1:8080";  // base of unsubscribe/online links
  std::string admin_listen = "127.0.0.1:8081";       // admin JSON API; empty = off
  std::string admin_key;  // server-wide admin API key (secret); empty = none
  std::string unsubscribe_mailto;                    // List-Unsubscribe mailto; empty = none
  int io_threads = 2;                                // Asio threads for HTTP I/O
  int blocking_threads = 64;                         // pool for store calls
  int delivery_workers = 8;  // deliveries at once into file: (SMTP: the relay's connections=)
  int claim_batch = static_cast<int>(limits::kClaimBatch);
  std::chrono::seconds lease = limits::kClaimLease;
  std::chrono::seconds min_backoff = limits::kMinBackoff;
  std::chrono::seconds max_backoff = limits::kMaxBackoff;
  std::chrono::seconds lifetime = limits::kMaxLifetime;
  std::chrono::seconds status_retention = limits::kStatusRetention;
  std::chrono::milliseconds idle_poll = limits::kIdlePoll;
  // The worker's retention purge (events.md §6, store/retention.h): events
  // and webhook attempts are kept this long; mails status_retention long.
  std::chrono::seconds event_retention = std::chrono::hours(24 * 90);
  std::chrono::seconds webhook_attempt_retention = std::chrono::hours(24 * 90);
  std::chrono::seconds purge_interval = std::chrono::hours(1);
  // SMTP timeouts per phase (deliver/transport.h SmtpTimeouts).
  std::chrono::milliseconds smtp_connect_timeout = limits::kSmtpConnectTimeout;
  std::chrono::milliseconds smtp_greeting_timeout = limits::kSmtpGreetingTimeout;
  std::chrono::milliseconds smtp_command_timeout = limits::kSmtpCommandTimeout;
  std::chrono::milliseconds smtp_data_timeout = limits::kSmtpDataXferTimeout;
  std::chrono::milliseconds smtp_data_done_timeout = limits::kSmtpDataDoneTimeout;
  // Slow-client rules of both HTTP listeners (public and admin).
  std::chrono::milliseconds header_timeout = limits::kHeaderReadTimeout;
  std::chrono::milliseconds body_timeout = limits::kBodyReadTimeout;
  std::chrono::milliseconds keep_alive_timeout = limits::kKeepAliveIdleTimeout;
  // subscribe's mail-bombing limits (ops/subscribe.h).
  std::chrono::seconds optin_frequency_limit = limits::kDefaultOptinFrequencyLimit;
  int optin_source_limit = limits::kDefaultOptinSourceLimit;
  std::chrono::seconds optin_source_window = limits::kDefaultOptinSourceWindow;
  // Start on a SQLite database other users may read or write (store.h
  // EngineOptions::private_files); off: serve refuses and says why.
  bool allow_insecure_permissions = false;
  std::vector<std::string> trusted_proxies;  // CIDR ranges; X-Forwarded-* honoured
  // docs/decisions/0014-relay-policy.md:
  std::string outbox_root = ".";                // file:DIR writes below it
  std::vector<std::string> client_relay_hosts;  // relays a client key may choose
  bool allow_address_literals = false;          // recipients like user@[192.0.2.1]
  // Outbound webhooks (events.md §4, webhook/dispatcher.h).
  bool webhooks_allow_private = false;  // targets on loopback/private addresses (SSRF guard off)
  int webhook_workers = 4;              // POSTs at once, each its own connection
  int webhook_batch = 100;              // events per POST at most
  std::chrono::milliseconds webhook_batch_wait{200};    // wait this long to fill a batch
  std::chrono::milliseconds webhook_timeout{10000};     // one POST, connect to last byte
  std::chrono::milliseconds webhook_retry_base{15000};  // first retry delay (doubles, max 1 h)
  std::string log_level = "info";            // trace|debug|info|warn|error|critical|off
  std::string log_format = "text";           // text | json
  // Bounces and complaints inbound (events.md §2; events/inbound.h): the
  // SMTP listener; empty = off. STARTTLS when both files are set.
  std::string inbound_listen;
  std::string inbound_tls_cert;
  std::string inbound_tls_key;
  std::string tracking_ip = "truncate";      // opens/clicks: truncate (/24, /48) | none

  bool operator==(const Config&) const = default;
};

// Values given on the command line: key (as in Config) -> text as typed.
struct ConfigOverrides {
  std::string config_file;                    // --config; empty: CAMPAIGND_CONFIG or none
  std::map<std::string, std::string> values;  // e.g. {"lease", "5m"}
};

// Looks up one environment variable; nullopt when unset. Injected so tests
// need not touch the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment (getenv).
EnvLookup ProcessEnvironment();

// Builds the configuration: defaults, then `file` (if any), then the
// CAMPAIGND_* variables from `env`, then `overrides`; then checks the
// combination (tls_listen needs tls_cert and tls_key, min_backoff <=
// max_backoff). All problems are reported, one per line.
Result<Config> LoadConfig(const std::optional<std::filesystem::path>& file, const EnvLookup& env,
                          const std::map<std::string, std::string>& overrides);

// As above, the file being overrides.config_file, else $CAMPAIGND_CONFIG.
Result<Config> LoadConfig(const ConfigOverrides& overrides, const EnvLookup& env);

// Which options AddConfigOptions registers.
enum class ConfigScope {
  kDatabase,  // --config and --db: every subcommand that opens the database
  kServer,    // every key: `serve`
};

// Registers --config and one option per key in `scope` (key with '-' for
// '_': --tls-listen, --trusted-proxies) on `app`; given values land in
// `overrides` (checked later by LoadConfig). `overrides` must outlive app.
void AddConfigOptions(CLI::App& app, ConfigOverrides& overrides, ConfigScope scope);

// "300s", "24h", "14d", "500ms": the largest unit that divides exactly.
std::string FormatDuration(std::chrono::milliseconds d);
// Parses "<digits><unit>", unit one of ms s m h d; nullopt otherwise.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

}  // namespace campaignd::config

#endif  // CAMPAIGND_CONFIG_CONFIG_H_
