// TransportUrl: the parsed form of a transport URL (grammar in transport.h).
// Called by OpenTransport(); folder-private.
// Input: untrusted text from configuration; every field is checked here, so
// the transports take only validated settings.
// Errors: InvalidArgument naming the offending part; the message never
// contains the password.
#ifndef CAMPAIGND_DELIVER_TRANSPORT_URL_H_
#define CAMPAIGND_DELIVER_TRANSPORT_URL_H_

#include <cstdint>
#include <optional>
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
};

struct TransportUrl {
  std::optional<std::string> file_dir;  // set for file: URLs
  std::optional<SmtpSettings> smtp;     // set for smtp:// and smtps:// URLs
  std::string described;                // the URL without the password
};

// Parses `url`; `default_connections` applies when connections= is absent.
// InvalidArgument for an unknown scheme or option, a bad value, a missing
// host or directory, a path or fragment where none belongs.
Result<TransportUrl> ParseTransportUrl(std::string_view url, int default_connections);

}  // namespace campaignd::deliver

#endif  // CAMPAIGND_DELIVER_TRANSPORT_URL_H_
