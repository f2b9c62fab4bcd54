#include "http/client_origin.h"

#include <boost/asio/ip/address.hpp>

#include "auth/authorize.h"
#include "http/header_value.h"

namespace campaignd::http {
namespace {

// The last comma-separated element of a header list, trimmed of blanks.
std::string_view LastListElement(std::string_view list) {
  const std::size_t comma = list.rfind(',');
  std::string_view last = comma == std::string_view::npos ? list : list.substr(comma + 1);
  const auto first = last.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return last.substr(first, last.find_last_not_of(" \t") - first + 1);
}

bool IsTrusted(std::string_view peer, const std::vector<std::string>& trusted_proxies) {
  for (const std::string& cidr : trusted_proxies) {
    if (auth::IpInCidr(peer, cidr)) return true;
  }
  return false;
}

}  // namespace

std::string CanonicalIp(std::string_view address) {
  boost::system::error_code ec;
  boost::asio::ip::address ip = boost::asio::ip::make_address(std::string(address), ec);
  if (ec) return std::string(address);
  if (ip.is_v6() && ip.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, ip.to_v6()).to_string();
  }
  return ip.to_string();
}

ClientOrigin ResolveOrigin(const OriginInput& in, const std::vector<std::string>& trusted_proxies) {
  ClientOrigin origin{CanonicalIp(in.peer_ip), in.tls_listener ? "https" : "http"};
  if (!IsTrusted(origin.client_ip, trusted_proxies)) return origin;

  const std::string_view hop = LastListElement(in.forwarded_for);
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(hop), ec);
  if (!hop.empty() && !ec) origin.client_ip = CanonicalIp(hop);

  const std::string_view proto = LastListElement(in.forwarded_proto);
  if (EqualsIgnoreCase(proto, "https")) origin.protocol = "https";
  if (EqualsIgnoreCase(proto, "http")) origin.protocol = "http";
  return origin;
}

}  // namespace campaignd::http
