// Who sent a request and how (behaviour.md §2 "Protocol"): the client IP and
// protocol auth/ checks. X-Forwarded-For (its last hop) and
// X-Forwarded-Proto count only when the socket peer is a trusted proxy.
// Callers: http/session.cc. Input: peer from the socket (trusted), header
// values (untrusted). Threads: pure function.
#ifndef CAMPAIGND_HTTP_CLIENT_ORIGIN_H_
#define CAMPAIGND_HTTP_CLIENT_ORIGIN_H_

#include <string>
#include <string_view>
#include <vector>

namespace campaignd::http {

struct OriginInput {
  std::string peer_ip;          // textual; an IPv4-mapped IPv6 peer as IPv4
  bool tls_listener = false;    // came in on the server's own TLS listener
  std::string forwarded_for;    // all X-Forwarded-For values, comma-joined
  std::string forwarded_proto;  // all X-Forwarded-Proto values, comma-joined
};

struct ClientOrigin {
  std::string client_ip;
  std::string protocol;  // "http" | "https"
};

// The listener's protocol and the peer, unless the peer lies in one of
// `trusted_proxies` (CIDRs, auth::IpInCidr): then the last X-Forwarded-For
// hop when it is a valid IP address, and the last X-Forwarded-Proto value
// when it is http or https (ASCII case-insensitive).
ClientOrigin ResolveOrigin(const OriginInput& in, const std::vector<std::string>& trusted_proxies);

// `address` as text; an IPv4-mapped IPv6 address ("::ffff:10.0.0.1") as
// plain IPv4 ("10.0.0.1"). Unchanged when it is not an IP address.
std::string CanonicalIp(std::string_view address);

}  // namespace campaignd::http

#endif  // CAMPAIGND_HTTP_CLIENT_ORIGIN_H_
