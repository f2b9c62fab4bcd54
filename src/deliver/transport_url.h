// TransportUrl: the parsed form of a transport URL (grammar in transport.h),
// the one place its rules live (docs/decisions/0014-relay-policy.md).
// Called by OpenTransport(), and by admin/ to check a URL before it is stored
// (provisioning file, admin API, CLI) and to judge a client key's choice.
// Input: untrusted text; every field is checked here, so the transports take
// only validated settings.
// Errors: InvalidArgument naming the offending part; the message never
// contains the password.
#ifndef CAMPAIGND_DELIVER_TRANSPORT_URL_H_
#define CAMPAIGND_DELIVER_TRANSPORT_URL_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace campaignd::deliver {

enum class StartTls { kRequired, kOptional, kNever };

struct SmtpSettings {
  bool implicit_tls = false;                // smtps://
  std::string host;                         // as written in the URL ("[::1]" for IPv6)
  uint16_t port = 0;                        // 25 for smtp://, 465 for smtps:// unless given
  std::string user;                         // percent-decoded; empty: no AUTH
  std::string password;                     // percent-decoded
  StartTls starttls = StartTls::kOptional;  // kRequired for smtps:// (TLS from the start)
  int connections = 0;                      // 1..limits::kMaxRelayConnections
  double rate_per_second = 0;               // 0 = unlimited
  std::string cafile;                       // empty: the system trust store
  bool verify = true;                       // false: the certificate is not checked
  std::string helo;                         // empty: libcurl's default (the host name)
  bool allow_plain_auth = false;            // the operator allows AUTH without TLS
};

struct TransportUrl {
  // Set for file: URLs: a relative path below the outbox root, without "..".
  std::optional<std::string> file_dir;
  std::optional<SmtpSettings> smtp;     // set for smtp:// and smtps:// URLs
  std::string described;                // the URL without the password
};

// Parses `url`; `default_connections` applies when connections= is absent.
// InvalidArgument for an unknown scheme or option, a bad value, a missing
// host or directory, a path or fragment where none belongs, and for:
//  - a file: directory that is absolute or has a ".." segment (it is a path
//    below outbox_root, where FileTransport confines it);
//  - a host that is not a host name or an IP address (no %-escapes);
//  - credentials that could travel in clear: with a user, smtp:// defaults
//    to starttls=required; starttls=optional or never with a user needs
//    allow_plain_auth=true unless the host is a loopback address
//    (127.0.0.0/8, [::1], localhost). allow_plain_auth= needs smtp:// and a
//    user.
Result<TransportUrl> ParseTransportUrl(std::string_view url, int default_connections);

// Whether a client's own API key may set `url` as its relay (the operator
// may set any valid URL): only smtp:// or smtps:// to a host and port
// matched by one of `allowed_hosts` (the server setting client_relay_hosts),
// and without the options that are the operator's to give: cafile= (a file
// on the server), verify=false and allow_plain_auth=. Any file: URL is
// refused, however it is written. nullopt when allowed, and for an smtp(s)
// URL that does not parse (not a policy matter: ParseTransportUrl names that
// problem, and the caller must ask it too); else what is wrong (never
// quoting the password).
std::optional<std::string> ClientRelayProblem(std::string_view url,
                                              std::span<const std::string> allowed_hosts);

// Problems with one client_relay_hosts pattern, or nullopt. Patterns:
// HOST (ports 25, 465 and 587), HOST:PORT, HOST:* (any port); HOST is a host
// name, "*.domain" (any name below domain, not domain itself), an IPv4
// address or a bracketed IPv6 address; matched case-insensitively.
std::optional<std::string> RelayHostPatternProblem(std::string_view pattern);

}  // namespace campaignd::deliver

#endif  // CAMPAIGND_DELIVER_TRANSPORT_URL_H_
