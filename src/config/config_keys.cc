#include "config/config_keys.h"

#include <algorithm>
#include <array>
#include <boost/url/parse.hpp>
#include <cctype>
#include <charconv>

#include "auth/authorize.h"
#include "core/address.h"
#include "deliver/transport_url.h"

namespace campaignd::config {
namespace {

// Upper bound for thread, worker and batch counts: far above what any host
// can use, low enough that a typo (an extra digit or three) is caught.
constexpr int64_t kMaxCount = 100000;

Problem CheckDb(std::string_view v) {
  if ((v.starts_with("sqlite:") && v.size() > 7) || v.starts_with("postgresql://") ||
      v.starts_with("postgres://")) {
    return std::nullopt;
  }
  return "expected 'sqlite:PATH' or 'postgresql://...'";
}

// "host:port" or "[v6]:port"; empty means "off".
Problem CheckListen(std::string_view v) {
  if (v.empty()) return std::nullopt;
  const std::string problem = "expected HOST:PORT like '127.0.0.1:8080' or '[::1]:8080'";
  const auto colon = v.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return problem;
  const std::string_view host = v.substr(0, colon), port = v.substr(colon + 1);
  if (host.front() == '[' ? host.back() != ']' || host.size() < 3
                          : host.find(':') != std::string_view::npos) {
    return problem;
  }
  int number = -1;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (ec != std::errc() || end != port.data() + port.size() || number < 0 || number > 65535) {
    return problem;
  }
  return std::nullopt;
}

Problem CheckPublicUrl(std::string_view v) {
  const std::string problem =
      "expected an absolute http or https URL like 'https://mail.example.com'";
  auto url = boost::urls::parse_absolute_uri(v);
  if (!url) return problem;
  if ((url->scheme() != "http" && url->scheme() != "https") || url->host().empty()) return problem;
  if (url->has_query() || url->has_fragment() || url->has_userinfo()) {
    return "must not contain user info, a query or a fragment";
  }
  return std::nullopt;
}

Problem CheckMailto(std::string_view v) {
  if (v.empty()) return std::nullopt;
  if (!Address::Parse(v).ok()) return "expected an email address like 'unsubscribe@example.com'";
  return std::nullopt;
}

// docs/decisions/0012-admin-api.md: long enough not to be guessed.
constexpr std::size_t kMinAdminKeyBytes = 24;

// A key goes into "Authorization: Bearer KEY" as typed: a blank or a
// control character (a trailing newline of a key file, a key of spaces)
// could never be sent back intact, so such a key is refused at start.
Problem CheckAdminKey(std::string_view v) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto c = static_cast<unsigned char>(v[i]);
    if (c > 0x20 && c < 0x7F) continue;
    const std::string what = c == '\n'   ? "a newline"
                             : c == '\r' ? "a carriage return"
                             : c == ' '  ? "a blank"
                             : c == '\t' ? "a tab"
                             : c >= 0x80 ? "a non-ASCII byte"
                                         : "a control character";
    return "contains " + what + " at position " + std::to_string(i + 1) + " of " +
           std::to_string(v.size()) +
           ": expected printable ASCII characters without blanks (a trailing newline from a "
           "key file?)";
  }
  if (v.empty() || v.size() >= kMinAdminKeyBytes) return std::nullopt;
  return "expected at least " + std::to_string(kMinAdminKeyBytes) + " characters";
}

Problem CheckLogLevel(std::string_view v) {
  constexpr std::array kLevels = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  if (std::find(kLevels.begin(), kLevels.end(), v) != kLevels.end()) return std::nullopt;
  return "expected one of trace, debug, info, warn, error, critical, off";
}

Problem CheckTrackingIp(std::string_view v) {
  if (v == "truncate" || v == "none") return std::nullopt;
  return "expected truncate or none";
}

Problem CheckRole(std::string_view v) {
  if (v == "all" || v == "api" || v == "worker") return std::nullopt;
  return "expected all, api or worker";
}

Problem CheckLogFormat(std::string_view v) {
  if (v == "text" || v == "json") return std::nullopt;
  return "expected text or json";
}

Problem CheckCidr(std::string_view v) {
  if (auth::IsValidCidr(v)) return std::nullopt;
  return "'" + std::string(v) + "' is not a CIDR range like '10.0.0.0/8' or '::1/128'";
}

Problem CheckOutboxRoot(std::string_view v) {
  if (v.empty()) return "expected a directory (\".\" for the working directory)";
  if (v.find('\0') != std::string_view::npos) return "contains a NUL byte";
  return std::nullopt;
}

Problem CheckRelayHost(std::string_view v) { return deliver::RelayHostPatternProblem(v); }

using C = Config;
const std::array<ConfigKey, 51> kKeys = {{
    {"db", &C::db, "URL", "database: sqlite:PATH or postgresql://...", CheckDb},
    {"role", &C::role, "ROLE",
     "all: API and delivery; api: answer the API only; worker: deliver only", CheckRole},
    {"listen", &C::listen, "HOST:PORT", "public API listener (plain HTTP); empty: off",
     CheckListen},
    {"tls_listen", &C::tls_listen, "HOST:PORT", "public API listener over TLS; empty: off",
     CheckListen},
    {"tls_cert", &C::tls_cert, "FILE", "TLS certificate chain (PEM), needed with tls_listen"},
    {"tls_key", &C::tls_key, "FILE", "TLS private key (PEM), needed with tls_listen"},
    {"public_url", &C::public_url, "URL",
     "base URL of this server as recipients reach it (unsubscribe and online-version links)",
     CheckPublicUrl},
    {"admin_listen", &C::admin_listen, "HOST:PORT",
     "admin JSON API listener (docs/admin-api.yaml); empty: off", CheckListen},
    {"admin_key", &C::admin_key, "KEY",
     "server-wide admin API key (creates clients and their keys); empty: none", CheckAdminKey},
    {"unsubscribe_mailto", &C::unsubscribe_mailto, "ADDRESS",
     "mailto address in List-Unsubscribe besides the https link; empty: none", CheckMailto},
    {"io_threads", &C::io_threads, "N", "threads serving HTTP connections"},
    {"blocking_threads", &C::blocking_threads, "N", "threads for database calls"},
    {"delivery_workers", &C::delivery_workers, "N",
     "deliveries at once into a file: outbox and for mail that needs no relay (an SMTP "
     "relay runs as many as its connections=)"},
    {"claim_batch", &C::claim_batch, "N", "mails claimed from the queue per round trip"},
    {"lease", &C::lease, "DURATION", "how long a claimed mail stays with its worker"},
    {"min_backoff", &C::min_backoff, "DURATION", "first retry delay after a temporary failure"},
    {"max_backoff", &C::max_backoff, "DURATION", "longest retry delay (the delay doubles)"},
    {"lifetime", &C::lifetime, "DURATION", "after this age a deferred mail is could_not_be_sent"},
    {"status_retention", &C::status_retention, "DURATION",
     "how long getsendstatus answers a mail's stored status; then the worker purges the mail "
     "with its history"},
    {"idle_poll", &C::idle_poll, "DURATION", "how often an idle worker looks for due mail"},
    {"event_retention", &C::event_retention, "DURATION",
     "events (opens, clicks, bounces...) older than this are purged by the worker; the "
     "statistics' counters stay"},
    {"webhook_attempt_retention", &C::webhook_attempt_retention, "DURATION",
     "webhook delivery attempts older than this are purged by the worker"},
    {"purge_interval", &C::purge_interval, "DURATION",
     "how often the worker purges mails past status_retention (with their history), events "
     "and webhook attempts past theirs, in small batches"},
    {"smtp_connect_timeout", &C::smtp_connect_timeout, "DURATION",
     "SMTP: connecting to the relay (and the TLS handshake of smtps://)"},
    {"smtp_greeting_timeout", &C::smtp_greeting_timeout, "DURATION",
     "SMTP: waiting for the relay's greeting"},
    {"smtp_command_timeout", &C::smtp_command_timeout, "DURATION",
     "SMTP: waiting for the reply to each command (EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA)"},
    {"smtp_data_timeout", &C::smtp_data_timeout, "DURATION",
     "SMTP: the relay takes no byte of the message for this long"},
    {"smtp_data_done_timeout", &C::smtp_data_done_timeout, "DURATION",
     "SMTP: waiting for the reply after the end of the message"},
    {"header_timeout", &C::header_timeout, "DURATION",
     "a client must send a request's header block within this (both HTTP listeners)"},
    {"body_timeout", &C::body_timeout, "DURATION",
     "a client must send a body within this (admin API streams: each 64 KiB), and read each "
     "answer (or chunk) within it"},
    {"keep_alive_timeout", &C::keep_alive_timeout, "DURATION",
     "an idle keep-alive connection is closed after this"},
    {"optin_frequency_limit", &C::optin_frequency_limit, "DURATION",
     "least time between two opt-in mails to one address (bmOptinFrequencyLimit may only raise "
     "it)"},
    {"optin_source_limit", &C::optin_source_limit, "N",
     "opt-in mails per source (client and IPv4 address or IPv6 /64) per optin_source_window"},
    {"optin_source_window", &C::optin_source_window, "DURATION",
     "the window optin_source_limit counts in"},
    {"allow_insecure_permissions", &C::allow_insecure_permissions, "BOOL",
     "serve a SQLite database that other users may read or write (else refused)"},
    {"trusted_proxies", &C::trusted_proxies, "CIDR",
     "proxies whose X-Forwarded-For/-Proto are honoured (comma-separated in the environment)",
     CheckCidr},
    {"log_level", &C::log_level, "LEVEL", "trace, debug, info, warn, error, critical or off",
     CheckLogLevel},
    {"log_format", &C::log_format, "FORMAT", "text or json (one object per line)", CheckLogFormat},
    {"outbox_root", &C::outbox_root, "DIR",
     "directory the file: transports write below (file:DIR is OUTBOX_ROOT/DIR; absolute paths, "
     "'..' and symbolic links below it are refused)",
     CheckOutboxRoot},
    {"client_relay_hosts", &C::client_relay_hosts, "HOST[:PORT]",
     "relay hosts a client's own API key may choose (relay.example.com = ports 25, 465 and "
     "587; host:2525; host:*; *.example.com); empty: only the operator sets relays",
     CheckRelayHost},
    {"allow_address_literals", &C::allow_address_literals, "BOOL",
     "accept recipients like user@[192.0.2.1] (mail to that IP address itself)"},
    {"inbound_listen", &C::inbound_listen, "HOST:PORT",
     "SMTP listener for bounces and complaints (VERP and complaint addresses only); empty: off",
     CheckListen},
    {"inbound_tls_cert", &C::inbound_tls_cert, "FILE",
     "TLS certificate chain (PEM) for STARTTLS on inbound_listen; empty: no STARTTLS"},
    {"inbound_tls_key", &C::inbound_tls_key, "FILE",
     "TLS private key (PEM) for STARTTLS on inbound_listen"},
    {"tracking_ip", &C::tracking_ip, "truncate|none",
     "the IP address kept with an open or click: truncate (IPv4 /24, IPv6 /48) or none",
     CheckTrackingIp},
    {"webhooks_allow_private", &C::webhooks_allow_private, "BOOL",
     "let webhooks reach loopback, private, link-local and CGNAT addresses (SSRF guard off; "
     "only for receivers on the operator's own network)"},
    {"webhook_workers", &C::webhook_workers, "N",
     "webhook POSTs at once (worker role; its own threads, never the delivery lanes')"},
    {"webhook_batch", &C::webhook_batch, "N", "events per webhook POST at most"},
    {"webhook_batch_wait", &C::webhook_batch_wait, "DURATION",
     "how long a webhook waits for a fuller batch after its first pending event"},
    {"webhook_timeout", &C::webhook_timeout, "DURATION",
     "one webhook POST, connect to the answer's last byte; longer is a failed attempt"},
    {"webhook_retry_base", &C::webhook_retry_base, "DURATION",
     "delay before the first retry of a failing webhook (doubling, at most 1 h)"},
}};

Problem SetCount(Config& config, int Config::*member, int64_t value) {
  if (value < 1 || value > kMaxCount) {
    return "expected a positive integer up to " + std::to_string(kMaxCount);
  }
  config.*member = static_cast<int>(value);
  return std::nullopt;
}

Problem SetList(Config& config, const ConfigKey& key, std::vector<std::string> values) {
  for (const auto& v : values) {
    if (Problem p = key.check(v)) return p;
  }
  config.*std::get<std::vector<std::string> Config::*>(key.member) = std::move(values);
  return std::nullopt;
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front())))
      item.remove_prefix(1);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back())))
      item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

Problem SetDuration(Config& config, const ConfigKey& key, std::string_view text) {
  const std::string problem = "expected a duration like '300s' (units ms, s, m, h, d)";
  const auto parsed = ParseDuration(text);
  if (!parsed || parsed->count() <= 0) return problem;
  if (auto* ms = std::get_if<std::chrono::milliseconds Config::*>(&key.member)) {
    config.** ms = *parsed;
    return std::nullopt;
  }
  if (parsed->count() % 1000 != 0) return "expected whole seconds like '300s'";
  config.*std::get<std::chrono::seconds Config::*>(key.member) =
      std::chrono::duration_cast<std::chrono::seconds>(*parsed);
  return std::nullopt;
}

bool IsDuration(const ConfigKey& key) {
  return std::holds_alternative<std::chrono::seconds Config::*>(key.member) ||
         std::holds_alternative<std::chrono::milliseconds Config::*>(key.member);
}

}  // namespace

std::span<const ConfigKey> ConfigKeys() { return kKeys; }

const ConfigKey* FindConfigKey(std::string_view name) {
  for (const auto& key : kKeys) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

std::string EnvName(const ConfigKey& key) {
  std::string name = "CAMPAIGND_";
  for (char c : key.name) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

std::string FormatValue(const Config& config, const ConfigKey& key) {
  if (auto* s = std::get_if<std::string Config::*>(&key.member)) return config.**s;
  if (auto* i = std::get_if<int Config::*>(&key.member)) return std::to_string(config.**i);
  if (auto* sec = std::get_if<std::chrono::seconds Config::*>(&key.member)) {
    return FormatDuration(config.**sec);
  }
  if (auto* ms = std::get_if<std::chrono::milliseconds Config::*>(&key.member)) {
    return FormatDuration(config.**ms);
  }
  if (auto* b = std::get_if<bool Config::*>(&key.member)) return config.**b ? "true" : "false";
  std::string joined;
  for (const auto& v : config.*std::get<std::vector<std::string> Config::*>(key.member)) {
    joined += (joined.empty() ? "" : ",") + v;
  }
  return joined;
}

Problem SetFromText(Config& config, const ConfigKey& key, std::string_view text) {
  if (auto* s = std::get_if<std::string Config::*>(&key.member)) {
    if (key.check != nullptr) {
      if (Problem p = key.check(text)) return p;
    }
    config.** s = std::string(text);
    return std::nullopt;
  }
  if (auto* i = std::get_if<int Config::*>(&key.member)) {
    int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return SetCount(config, *i, 0);
    return SetCount(config, *i, value);
  }
  if (IsDuration(key)) return SetDuration(config, key, text);
  if (auto* b = std::get_if<bool Config::*>(&key.member)) {
    if (text != "true" && text != "false") return "expected true or false";
    config.** b = text == "true";
    return std::nullopt;
  }
  return SetList(config, key, SplitList(text));
}

Problem SetFromToml(Config& config, const ConfigKey& key, const toml::node& node) {
  if (auto* i = std::get_if<int Config::*>(&key.member)) {
    if (!node.is_integer()) return SetCount(config, *i, 0);
    return SetCount(config, *i, node.as_integer()->get());
  }
  if (std::holds_alternative<std::vector<std::string> Config::*>(key.member)) {
    const toml::array* array = node.as_array();
    if (array == nullptr || (!array->empty() && !array->is_homogeneous(toml::node_type::string))) {
      return "expected an array of strings like [\"10.0.0.0/8\"]";
    }
    std::vector<std::string> values;
    for (const auto& element : *array) values.push_back(element.as_string()->get());
    return SetList(config, key, std::move(values));
  }
  if (auto* b = std::get_if<bool Config::*>(&key.member)) {
    if (!node.is_boolean()) return "expected true or false";
    config.** b = node.as_boolean()->get();
    return std::nullopt;
  }
  if (!node.is_string()) {
    if (IsDuration(key)) return SetDuration(config, key, "");
    return "expected a string";
  }
  return SetFromText(config, key, node.as_string()->get());
}

std::string FormatDuration(std::chrono::milliseconds d) {
  struct Unit {
    int64_t ms;
    const char* suffix;
  };
  constexpr std::array<Unit, 4> kUnits = {
      {{86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}}};
  const int64_t count = d.count();
  for (const auto& unit : kUnits) {
    if (count != 0 && count % unit.ms == 0) return std::to_string(count / unit.ms) + unit.suffix;
  }
  return std::to_string(count) + "ms";
}

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  constexpr std::size_t kMaxDigits = 9;  // 999999999d fits in int64 milliseconds
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > kMaxDigits) return std::nullopt;
  int64_t number = 0;
  std::from_chars(text.data(), text.data() + digits, number);
  const std::string_view unit = text.substr(digits);
  int64_t scale = 0;
  if (unit == "ms") scale = 1;
  if (unit == "s") scale = 1000;
  if (unit == "m") scale = 60 * 1000;
  if (unit == "h") scale = 3600 * 1000;
  if (unit == "d") scale = 86400 * 1000;
  if (scale == 0) return std::nullopt;
  return std::chrono::milliseconds(number * scale);
}

}  // namespace campaignd::config
