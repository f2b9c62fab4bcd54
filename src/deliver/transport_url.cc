#include "deliver/transport_url.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <boost/url.hpp>
#include <charconv>
#include <limits>
#include <set>
#include <string>

#include "core/fields.h"
#include "core/limits.h"

namespace campaignd::deliver {
namespace {

constexpr uint16_t kSmtpPort = 25;
constexpr uint16_t kSmtpsPort = 465;
// The ports a client_relay_hosts pattern without a port allows: SMTP,
// SMTPS and submission, never an arbitrary service of the relay host.
constexpr std::array<uint16_t, 3> kMailPorts = {25, 465, 587};

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

Result<TransportUrl> ParseFileUrl(std::string_view url) {
  std::string_view dir = url.substr(std::string_view("file:").size());
  if (dir.starts_with("//")) dir.remove_prefix(2);
  if (dir.empty()) return Status::InvalidArgument("file transport URL has no directory");
  if (dir.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("file transport directory contains a NUL byte");
  }
  if (dir.front() == '/') {
    return Status::InvalidArgument("file transport directory '" + std::string(dir) +
                                   "' is absolute; give a directory below outbox_root, e.g. "
                                   "file:outbox");
  }
  for (std::string_view rest = dir; !rest.empty();) {
    const std::size_t slash = rest.find('/');
    if (rest.substr(0, slash) == "..") {
      return Status::InvalidArgument("file transport directory '" + std::string(dir) +
                                     "' has a '..' segment; it must stay below outbox_root");
    }
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  TransportUrl out;
  out.file_dir = std::string(dir);
  out.described = "file:" + std::string(dir);
  return out;
}

Result<int> ParseInt(std::string_view key, std::string_view text, int lo, int hi) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi) {
    return Status::InvalidArgument(std::string(key) + "=" + std::string(text) +
                                   ": want a whole number from " + std::to_string(lo) + " to " +
                                   std::to_string(hi));
  }
  return v;
}

Result<double> ParseRate(std::string_view text) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !(v >= 0) ||
      v > limits::kMaxRelayRatePerSecond) {
    return Status::InvalidArgument("rate=" + std::string(text) +
                                   ": want messages per second, 0 (unlimited) or more");
  }
  return v;
}

bool IsHeloName(std::string_view name) {
  if (name.empty() || name.size() > limits::kMaxDomainBytes) return false;
  if (name.front() == '[') return name.back() == ']' && name.find_first_of(" \r\n") == name.npos;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') return false;
  }
  return true;
}

// Applies one key=value option to `s`.
Status ApplyOption(std::string_view key, std::string_view value, SmtpSettings& s) {
  if (key == "starttls") {
    if (s.implicit_tls) return Status::InvalidArgument("starttls= applies to smtp:// only");
    if (value == "required")
      s.starttls = StartTls::kRequired;
    else if (value == "optional")
      s.starttls = StartTls::kOptional;
    else if (value == "never")
      s.starttls = StartTls::kNever;
    else
      return Status::InvalidArgument("starttls=" + std::string(value) +
                                     ": want required, optional or never");
    return Status::Ok();
  }
  if (key == "connections") {
    Result<int> n = ParseInt(key, value, 1, limits::kMaxRelayConnections);
    if (!n.ok()) return n.status();
    s.connections = *n;
    return Status::Ok();
  }
  if (key == "rate") {
    Result<double> r = ParseRate(value);
    if (!r.ok()) return r.status();
    s.rate_per_second = *r;
    return Status::Ok();
  }
  if (key == "cafile") {
    if (value.empty()) return Status::InvalidArgument("cafile= needs a path");
    s.cafile = std::string(value);
    return Status::Ok();
  }
  if (key == "verify") {
    if (value != "true" && value != "false") {
      return Status::InvalidArgument("verify=" + std::string(value) + ": want true or false");
    }
    s.verify = value == "true";
    return Status::Ok();
  }
  if (key == "allow_plain_auth") {
    if (value != "true" && value != "false") {
      return Status::InvalidArgument("allow_plain_auth=" + std::string(value) +
                                     ": want true or false");
    }
    s.allow_plain_auth = value == "true";
    return Status::Ok();
  }
  if (key == "helo") {
    if (!IsHeloName(value)) {
      return Status::InvalidArgument("helo=" + std::string(value) +
                                     ": want a host name or an [address literal]");
    }
    s.helo = std::string(value);
    return Status::Ok();
  }
  return Status::InvalidArgument("unknown option '" + std::string(key) + "'");
}

bool IsHostNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
}

// A host name (letters, digits, '-' and '.') or an IP address: no %-escapes
// or other bytes whose meaning differs between this check and the resolver.
bool IsPlainHost(const boost::urls::url_view& u) {
  switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::ipv6:
      return true;
    case boost::urls::host_type::name: {
      const std::string_view host = u.encoded_host();
      return std::all_of(host.begin(), host.end(), IsHostNameChar);
    }
    default:
      return false;
  }
}

// 127.0.0.0/8, ::1 (also as ::ffff:127.x.y.z) or "localhost": a relay on
// this machine, where a password does not cross a network.
bool IsLoopbackHost(const boost::urls::url_view& u) {
  switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
      return u.host_ipv4_address().to_bytes()[0] == 127;
    case boost::urls::host_type::ipv6: {
      const boost::urls::ipv6_address a = u.host_ipv6_address();
      return a.is_loopback() || (a.is_v4_mapped() && a.to_bytes()[12] == 127);
    }
    case boost::urls::host_type::name:
      return LowerAscii(u.encoded_host()) == "localhost";
    default:
      return false;
  }
}

Status CheckAuthority(const boost::urls::url_view& u, SmtpSettings& s) {
  if (u.encoded_host().empty()) return Status::InvalidArgument("SMTP URL has no host");
  if (!IsPlainHost(u)) {
    return Status::InvalidArgument("SMTP URL host '" + std::string(u.encoded_host()) +
                                   "' is not a host name or an IP address");
  }
  s.host = std::string(u.encoded_host());
  s.port = s.implicit_tls ? kSmtpsPort : kSmtpPort;
  if (u.has_port()) {
    Result<int> port = ParseInt("port", u.port(), 1, std::numeric_limits<uint16_t>::max());
    if (!port.ok()) return Status::InvalidArgument("bad port '" + std::string(u.port()) + "'");
    s.port = static_cast<uint16_t>(*port);
  }
  if (!u.path().empty() && u.path() != "/") {
    return Status::InvalidArgument("SMTP URL has a path; give the EHLO name as helo=NAME");
  }
  if (u.has_fragment()) return Status::InvalidArgument("SMTP URL has a #fragment");
  s.user = u.user();
  s.password = u.password();
  if (s.user.empty() && !s.password.empty()) {
    return Status::InvalidArgument("SMTP URL has a password but no user name");
  }
  return Status::Ok();
}

// docs/decisions/0014-relay-policy.md: a password never crosses a network
// in clear unless the operator wrote allow_plain_auth=true.
Status CheckCredentialsStayEncrypted(const boost::urls::url_view& u, bool starttls_given,
                                     SmtpSettings& s) {
  if (s.allow_plain_auth && (s.user.empty() || s.implicit_tls)) {
    return Status::InvalidArgument("allow_plain_auth= applies to smtp:// with a user name only");
  }
  if (s.user.empty() || s.implicit_tls) return Status::Ok();
  if (!starttls_given) {
    s.starttls = StartTls::kRequired;
    return Status::Ok();
  }
  if (s.starttls == StartTls::kRequired || s.allow_plain_auth || IsLoopbackHost(u)) {
    return Status::Ok();
  }
  if (s.starttls == StartTls::kOptional) {
    return Status::InvalidArgument(
        "starttls=optional with a user name would send the password in clear to a relay "
        "that offers no STARTTLS (or to anyone who strips it); use starttls=required (the "
        "default with a user) or smtps://, or add allow_plain_auth=true if that is intended");
  }
  return Status::InvalidArgument(
      "starttls=never with a user name sends the password in clear; use starttls=required "
      "(the default with a user) or smtps://, or add allow_plain_auth=true if that is "
      "intended");
}

std::string DescribeWithoutPassword(const boost::urls::url_view& view) {
  boost::urls::url u(view);
  if (u.user().empty()) {
    u.remove_userinfo();
  } else {
    u.remove_password();
  }
  return std::string(u.buffer());
}

Result<TransportUrl> ParseSmtpUrl(std::string_view text, int default_connections) {
  boost::system::result<boost::urls::url_view> parsed = boost::urls::parse_uri(text);
  if (!parsed) {
    return Status::InvalidArgument("not a valid SMTP URL (" + parsed.error().message() + ")");
  }
  const boost::urls::url_view& u = *parsed;
  SmtpSettings s;
  s.implicit_tls = StartsWithNoCase(u.scheme(), "smtps");
  s.starttls = s.implicit_tls ? StartTls::kRequired : StartTls::kOptional;
  s.connections = default_connections;
  CAMPAIGND_RETURN_IF_ERROR(CheckAuthority(u, s));
  std::set<std::string, std::less<>> seen;
  for (const auto& p : u.params()) {  // a decoded, owning boost::urls::param
    std::string key(p.key);
    if (!p.has_value) return Status::InvalidArgument("option '" + key + "' has no =value");
    if (!seen.insert(key).second)
      return Status::InvalidArgument("option '" + key + "' given twice");
    CAMPAIGND_RETURN_IF_ERROR(ApplyOption(key, std::string(p.value), s));
  }
  if (s.connections < 1 || s.connections > limits::kMaxRelayConnections) {
    return Status::InvalidArgument("default connection count out of range");
  }
  CAMPAIGND_RETURN_IF_ERROR(CheckCredentialsStayEncrypted(u, seen.contains("starttls"), s));
  TransportUrl out;
  out.described = DescribeWithoutPassword(u);
  out.smtp = std::move(s);
  return out;
}

// Lower-case; a bracketed IPv6 address in its canonical (inet_ntop) form.
// nullopt for a malformed IPv6 address.
std::optional<std::string> CanonicalHost(std::string_view host) {
  std::string lower = LowerAscii(host);
  if (!lower.starts_with('[')) return lower;
  if (lower.size() < 3 || !lower.ends_with(']')) return std::nullopt;
  const std::string inner = lower.substr(1, lower.size() - 2);
  in6_addr address;
  char text[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET6, inner.c_str(), &address) != 1 ||
      inet_ntop(AF_INET6, &address, text, sizeof text) == nullptr) {
    return std::nullopt;
  }
  return "[" + std::string(text) + "]";
}

// Labels of letters, digits and '-', separated by single dots.
bool IsDottedName(std::string_view name) {
  return !name.empty() && name.front() != '.' && name.back() != '.' &&
         name.find("..") == std::string_view::npos &&
         std::all_of(name.begin(), name.end(), IsHostNameChar);
}

struct HostPattern {
  std::string host;         // canonical; for "*.domain" the domain
  bool below = false;       // "*.domain": names below domain
  std::optional<int> port;  // nullopt: kMailPorts
  bool any_port = false;    // HOST:*
};

std::optional<HostPattern> ParseHostPattern(std::string_view text) {
  HostPattern p;
  std::string_view host = text, port;
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(0, close + 1);
    port = text.substr(close + 1);
  } else if (const std::size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon);
  }
  if (port == ":*") {
    p.any_port = true;
  } else if (!port.empty()) {
    Result<int> n = ParseInt("port", port.substr(1), 1, std::numeric_limits<uint16_t>::max());
    if (!port.starts_with(':') || !n.ok()) return std::nullopt;
    p.port = *n;
  }
  if (host.starts_with("*.")) {
    p.below = true;
    host.remove_prefix(2);
  }
  if (host.starts_with('[')) {
    if (p.below) return std::nullopt;
    std::optional<std::string> canonical = CanonicalHost(host);
    if (!canonical) return std::nullopt;
    p.host = *canonical;
  } else {
    if (!IsDottedName(host)) return std::nullopt;
    p.host = LowerAscii(host);
  }
  return p;
}

bool Matches(const HostPattern& p, const std::string& host, int port) {
  const bool host_ok =
      p.below ? host.size() > p.host.size() + 1 && host.ends_with("." + p.host) : host == p.host;
  const bool port_ok = p.any_port || (p.port ? *p.port == port
                                             : std::find(kMailPorts.begin(), kMailPorts.end(),
                                                         port) != kMailPorts.end());
  return host_ok && port_ok;
}

}  // namespace

std::optional<std::string> RelayHostPatternProblem(std::string_view pattern) {
  if (ParseHostPattern(pattern)) return std::nullopt;
  return "'" + std::string(pattern) +
         "' is not a relay host pattern like relay.example.com, relay.example.com:2525, "
         "*.example.com:*, 192.0.2.7 or [2001:db8::7]:587";
}

std::optional<std::string> ClientRelayProblem(std::string_view text,
                                              std::span<const std::string> allowed_hosts) {
  if (StartsWithNoCase(text, "file:")) {
    return "a file: transport writes on the server: only the operator sets one; a client key "
           "may choose an smtp:// or smtps:// relay the operator allows";
  }
  Result<TransportUrl> url = ParseTransportUrl(text, limits::kDefaultRelayConnections);
  if (!url.ok() || !url->smtp) return std::nullopt;
  const SmtpSettings& s = *url->smtp;
  if (!s.cafile.empty()) return "cafile= names a file on the server: only the operator sets it";
  if (!s.verify) return "verify=false: only the operator may turn off the certificate check";
  if (s.allow_plain_auth) {
    return "allow_plain_auth=: only the operator may let a password travel without TLS";
  }
  const std::string host = CanonicalHost(s.host).value_or(s.host);
  const std::string where = host + ":" + std::to_string(s.port);
  if (allowed_hosts.empty()) {
    return "client keys may not choose their relay here (the operator allows no relay host: "
           "client_relay_hosts is empty)";
  }
  std::string listed;
  for (const std::string& text : allowed_hosts) {
    std::optional<HostPattern> pattern = ParseHostPattern(text);
    if (pattern && Matches(*pattern, host, s.port)) return std::nullopt;
    listed += (listed.empty() ? "" : ", ") + text;
  }
  return "relay " + where +
         " is not one the operator allows for client keys (client_relay_hosts: " + listed + ")";
}

Result<TransportUrl> ParseTransportUrl(std::string_view url, int default_connections) {
  if (StartsWithNoCase(url, "file:")) return ParseFileUrl(url);
  if (StartsWithNoCase(url, "smtp://") || StartsWithNoCase(url, "smtps://")) {
    return ParseSmtpUrl(url, default_connections);
  }
  std::string_view scheme = url.substr(0, url.find(':'));
  if (scheme.size() == url.size() || scheme.size() > 16) {
    return Status::InvalidArgument(
        "transport URL has no scheme; want file:DIR, smtp:// or smtps://");
  }
  return Status::InvalidArgument("unknown transport scheme '" + std::string(scheme) +
                                 "'; want file:, smtp:// or smtps://");
}

}  // namespace campaignd::deliver
