#include "webhook/address_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace campaignd::webhook {
namespace {

std::string_view ForbiddenV4(uint32_t a) {  // host order
  const auto in = [a](uint32_t net, int bits) {
    const uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
    return (a & mask) == net;
  };
  if (in(0x00000000, 8)) return "unspecified";  // 0.0.0.0/8 "this network"
  if (in(0x7f000000, 8)) return "loopback";     // 127.0.0.0/8
  if (in(0x0a000000, 8) || in(0xac100000, 12) || in(0xc0a80000, 16)) return "private";
  if (in(0xa9fe0000, 16)) return "link-local";  // 169.254.0.0/16
  if (in(0x64400000, 10)) return "CGNAT";       // 100.64.0.0/10
  if (in(0xc0000000, 24)) return "reserved";    // 192.0.0.0/24 IETF protocol assignments
  if (in(0xc6120000, 15)) return "reserved";    // 198.18.0.0/15 benchmarking
  if (in(0xe0000000, 4)) return "multicast";    // 224.0.0.0/4
  if (a == 0xffffffff) return "broadcast";
  if (in(0xf0000000, 4)) return "reserved";  // 240.0.0.0/4
  return "";
}

std::string_view ForbiddenV6(const unsigned char* b) {
  static constexpr unsigned char kZero[16] = {};
  const uint32_t last =
      (uint32_t{b[12]} << 24) | (uint32_t{b[13]} << 16) | (uint32_t{b[14]} << 8) | b[15];
  if (std::memcmp(b, kZero, 16) == 0) return "unspecified";
  if (std::memcmp(b, kZero, 15) == 0 && b[15] == 1) return "loopback";
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible): the IPv4 rules.
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(b, kMapped, 12) == 0 || std::memcmp(b, kZero, 12) == 0) {
    return ForbiddenV4(last);
  }
  // 64:ff9b::/96 (NAT64): the embedded IPv4 address decides.
  static constexpr unsigned char kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, kNat64, 12) == 0) return ForbiddenV4(last);
  // 64:ff9b:1::/48 (local-use NAT64, RFC 8215): translated by the operator's own
  // gateway, so refused whatever it embeds.
  static constexpr unsigned char kLocalNat64[6] = {0, 0x64, 0xff, 0x9b, 0, 1};
  if (std::memcmp(b, kLocalNat64, 6) == 0) return "private";
  // ::ffff:0:a.b.c.d (SIIT, RFC 6052/7915 translated addresses): refused altogether.
  static constexpr unsigned char kSiit[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0};
  if (std::memcmp(b, kSiit, 12) == 0) return "reserved";
  // 2002:AABB:CCDD::/48 (6to4): the embedded IPv4 address AA.BB.CC.DD decides.
  if (b[0] == 0x20 && b[1] == 0x02) {
    return ForbiddenV4((uint32_t{b[2]} << 24) | (uint32_t{b[3]} << 16) | (uint32_t{b[4]} << 8) |
                       b[5]);
  }
  // 2001::/32 (Teredo): a tunnel whose server and client are encoded in the
  // address, not checkable here; refused altogether.
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) return "reserved";
  // 100::/64 (discard-only, RFC 6666).
  static constexpr unsigned char kDiscard[8] = {0x01, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, kDiscard, 8) == 0) return "reserved";
  if ((b[0] & 0xfe) == 0xfc) return "private";                     // fc00::/7 ULA
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "link-local";  // fe80::/10
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return "private";     // fec0::/10 site-local
  if (b[0] == 0xff) return "multicast";                            // ff00::/8
  return "";
}

}  // namespace

std::string_view ForbiddenRange(std::string_view ip) {
  const std::string text(ip);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return ForbiddenV4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) return ForbiddenV6(v6.s6_addr);
  return "not an IP address";
}

std::string_view ForbiddenRange(const sockaddr* address) {
  if (address == nullptr) return "not an IP address";
  if (address->sa_family == AF_INET) {
    return ForbiddenV4(ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    return ForbiddenV6(reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr.s6_addr);
  }
  return "not an IP address";
}

}  // namespace campaignd::webhook
