// The SSRF guard of webhook targets (events.md §4): which resolved
// addresses a webhook must not reach unless the operator allows it
// (webhooks_allow_private) - loopback, private (RFC 1918, IPv6 ULA),
// link-local, CGNAT (RFC 6598), multicast, unspecified/"this network",
// broadcast and reserved, also when written as IPv4-mapped, IPv4-compatible,
// NAT64 (64:ff9b::/96) or 6to4 (2002::/16) IPv6, where the embedded IPv4
// address decides; local-use NAT64 (64:ff9b:1::/48), SIIT (::ffff:0:0:0/96),
// Teredo (2001::/32) and discard-only (100::/64) are refused whatever they
// embed. A client's API key must not make the server probe
// its own network. Threads: pure functions.
#ifndef CAMPAIGND_WEBHOOK_ADDRESS_GUARD_H_
#define CAMPAIGND_WEBHOOK_ADDRESS_GUARD_H_

#include <string>
#include <string_view>

struct sockaddr;

namespace campaignd::webhook {

// Why the numeric address `ip` ("192.168.1.1", "::1") may not be a target
// ("loopback", "private", ...); "" when it is a public address; "not an IP
// address" when it does not parse.
std::string_view ForbiddenRange(std::string_view ip);
// The same for a socket address (AF_INET/AF_INET6; others are forbidden).
std::string_view ForbiddenRange(const sockaddr* address);

}  // namespace campaignd::webhook

#endif  // CAMPAIGND_WEBHOOK_ADDRESS_GUARD_H_
