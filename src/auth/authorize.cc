#include "auth/authorize.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include "auth/code_hash.h"
#include "core/mail_id.h"

namespace campaignd::auth {
namespace {

// An address as 16 bytes; IPv4 (and IPv4-mapped IPv6) as ::ffff:a.b.c.d so
// that a v4 range matches a v4 peer seen through a dual-stack socket.
struct IpBytes {
  std::array<unsigned char, 16> b{};
  bool v4 = false;
};

bool ParseIp(std::string_view text, IpBytes* out) {
  std::string s(text);
  in_addr a4{};
  if (inet_pton(AF_INET, s.c_str(), &a4) == 1) {
    out->b.fill(0);
    out->b[10] = out->b[11] = 0xff;
    std::memcpy(out->b.data() + 12, &a4, 4);
    out->v4 = true;
    return true;
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, s.c_str(), &a6) != 1) return false;
  std::memcpy(out->b.data(), &a6, 16);
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  out->v4 = std::memcmp(out->b.data(), kMapped, 12) == 0;
  return true;
}

// Parses "addr/len" or "addr"; the prefix length is counted in the 128-bit
// space (a v4 /8 becomes /104).
bool ParseCidr(std::string_view cidr, IpBytes* net, int* prefix_bits) {
  auto slash = cidr.find('/');
  std::string_view addr = cidr.substr(0, slash);
  if (!ParseIp(addr, net)) return false;
  bool is_v4_text = addr.find(':') == std::string_view::npos;
  int max_len = is_v4_text ? 32 : 128;
  int len = max_len;
  if (slash != std::string_view::npos) {
    std::string_view digits = cidr.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return false;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), len);
    if (ec != std::errc() || p != digits.data() + digits.size() || len < 0 || len > max_len) {
      return false;
    }
  }
  *prefix_bits = is_v4_text ? 96 + len : len;
  return true;
}

bool Contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool MethodAllowed(const std::vector<std::string>& allowed, std::string_view method) {
  if (method != "GET" && method != "POST") return false;  // any other method: 503
  return allowed.empty() || Contains(allowed, method);
}

Result<Decision> AuthorizeForm(const RequestInfo& info, store::Directory& directory) {
  if (!IsValidCode(info.code)) return Decision{Denied{501}};
  std::string hash = HashCode(info.code);
  auto code = directory.FindCode(hash);
  if (!code.ok()) return code.status();
  if (!code->has_value() || !CodeHashEquals((*code)->code_hash, hash) || !(*code)->enabled) {
    return Decision{Denied{501}};
  }
  const store::AuthCode& c = **code;
  auto client = directory.FindClient(c.client_id);
  if (!client.ok()) return client.status();
  if (!client->has_value()) return Decision{Denied{501}};

  if (!c.ips.empty() && std::none_of(c.ips.begin(), c.ips.end(), [&](const std::string& cidr) {
        return IpInCidr(info.client_ip, cidr);
      })) {
    return Decision{Denied{502}};
  }
  if (!MethodAllowed(c.methods, info.method)) return Decision{Denied{503}};
  if (!c.protocols.empty() && !Contains(c.protocols, info.protocol)) return Decision{Denied{504}};
  auto list = directory.FindList(c.client_id, c.list_id);
  if (!list.ok()) return list.status();
  if (!list->has_value()) return Decision{Denied{505}};

  Caller caller;
  caller.service = Service::kForm;
  caller.client = std::move(**client);
  caller.list_id = c.list_id;
  caller.operations = c.operations;
  caller.redirect_hosts = c.redirect_hosts.empty() ? caller.client.redirect_hosts : c.redirect_hosts;
  caller.source = SourceNetwork(info.client_ip);
  return Decision{std::move(caller)};
}

Result<Decision> AuthorizeMail(const RequestInfo& info, store::Directory& directory,
                               store::MailQueue& queue) {
  auto id = MailId::Parse(info.code);
  if (!id.ok()) return Decision{Denied{501}};
  auto client = directory.FindClient(id->client_id());
  if (!client.ok()) return client.status();
  if (!client->has_value() || !id->Verify((*client)->mail_id_secret)) {
    return Decision{Denied{501}};
  }
  auto mail = queue.FindMail(id->client_id(), id->sequence());
  if (!mail.ok()) return mail.status();
  if (!mail->has_value()) return Decision{Denied{501}};
  // The mail service cannot be limited by IP or protocol (recipients click
  // from anywhere), so 502 and 504 do not apply (http-api-reference §1.2).
  if (!MethodAllowed({}, info.method)) return Decision{Denied{503}};
  auto list = directory.FindList(id->client_id(), (*mail)->list_id);
  if (!list.ok()) return list.status();
  if (!list->has_value()) return Decision{Denied{505}};

  Caller caller;
  caller.service = Service::kMail;
  caller.client = std::move(**client);
  caller.list_id = (*mail)->list_id;
  caller.redirect_hosts = caller.client.redirect_hosts;
  caller.mail = MailRef{(*mail)->id, (*mail)->mailing_id, (*mail)->recipient_id};
  caller.source = SourceNetwork(info.client_ip);
  return Decision{std::move(caller)};
}

}  // namespace

bool IpInCidr(std::string_view ip, std::string_view cidr) {
  IpBytes addr, net;
  int bits = 0;
  if (!ParseIp(ip, &addr) || !ParseCidr(cidr, &net, &bits)) return false;
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    unsigned char mask = bits >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - bits));
    if ((addr.b[i] & mask) != (net.b[i] & mask)) return false;
  }
  return true;
}

std::string SourceNetwork(std::string_view ip) {
  IpBytes addr;
  if (!ParseIp(ip, &addr)) return std::string(ip);
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.v4) {
    inet_ntop(AF_INET, addr.b.data() + 12, text, sizeof text);
    return text;
  }
  std::fill(addr.b.begin() + 8, addr.b.end(), 0);
  inet_ntop(AF_INET6, addr.b.data(), text, sizeof text);
  return std::string(text) + "/64";
}

bool IsValidCidr(std::string_view cidr) {
  IpBytes net;
  int bits = 0;
  return ParseCidr(cidr, &net, &bits);
}

Result<Decision> Authorize(const RequestInfo& info, store::Directory& directory,
                           store::MailQueue& queue) {
  return info.service == Service::kForm ? AuthorizeForm(info, directory)
                                        : AuthorizeMail(info, directory, queue);
}

}  // namespace campaignd::auth
