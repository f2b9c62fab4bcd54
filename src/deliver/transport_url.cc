#include "deliver/transport_url.h"

#include <boost/url.hpp>
#include <charconv>
#include <limits>
#include <set>
#include <string>

#include "core/limits.h"

namespace campaignd::deliver {
namespace {

constexpr uint16_t kSmtpPort = 25;
constexpr uint16_t kSmtpsPort = 465;

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

Status CheckAuthority(const boost::urls::url_view& u, SmtpSettings& s) {
  if (u.encoded_host().empty()) return Status::InvalidArgument("SMTP URL has no host");
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
  TransportUrl out;
  out.described = DescribeWithoutPassword(u);
  out.smtp = std::move(s);
  return out;
}

}  // namespace

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
