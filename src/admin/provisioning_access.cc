// Authorization codes, DKIM keys, the blocklist and the client's transport
// in the provisioning file (see provisioning_sections.h).
#include <algorithm>
#include <array>
#include <cctype>

#include "admin/provisioning_sections.h"
#include "auth/authorize.h"
#include "auth/code_hash.h"
#include "core/address.h"
#include "core/fields.h"
#include "core/limits.h"
#include "core/verp.h"
#include "deliver/transport_url.h"
#include "render/dkim.h"

namespace campaignd::admin {
namespace {

constexpr std::array<std::string_view, 16> kOperations = {"sendeventmail",
                                                          "sendtransactionmail",
                                                          "getsendstatus",
                                                          "uploadpersonalizedattachments",
                                                          "subscribe",
                                                          "unsubscribe",
                                                          "remove",
                                                          "copy",
                                                          "move",
                                                          "updatefields",
                                                          "blacklist",
                                                          "unblacklist",
                                                          "createtrackingoptout",
                                                          "deletetrackingoptout",
                                                          "onlineversion",
                                                          "nop"};

// Code names and DKIM selectors: [A-Za-z0-9._-], at most this long.
constexpr std::size_t kMaxNameBytes = 64;

bool IsSimpleName(std::string_view s) {
  const auto ok = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  };
  return !s.empty() && s.size() <= kMaxNameBytes && std::all_of(s.begin(), s.end(), ok);
}

std::string UpperAscii(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Checks each value of `key` with `normalise` (returns "" when invalid);
// an explicit empty array is refused (leaving the key out means "all").
void CheckChoices(TableReader& r, std::string_view key, std::vector<std::string>& values,
                  std::string (*normalise)(std::string), std::string_view expected) {
  if (values.empty()) {
    r.Error(key, "an empty array would allow nothing; leave the key out to allow all");
    return;
  }
  for (auto& v : values) {
    std::string normalised = normalise(v);
    if (normalised.empty()) {
      r.Error(key, "'" + v + "' is not one of " + std::string(expected));
      return;
    }
    v = std::move(normalised);
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

std::string Operation(std::string v) {
  v = LowerAscii(v);
  return std::find(kOperations.begin(), kOperations.end(), v) != kOperations.end() ? v : "";
}
std::string Method(std::string v) {
  v = UpperAscii(v);
  return v == "GET" || v == "POST" ? v : "";
}
std::string Protocol(std::string v) {
  v = LowerAscii(v);
  return v == "http" || v == "https" ? v : "";
}

void CheckCode(TableReader& r, std::optional<std::string> code, CodeEntry& entry) {
  if (!code) return;
  if (!auth::IsValidCode(*code)) {
    r.Error("code", "expected 6 to 128 characters of A-Z a-z 0-9 - _ . ~");
    return;
  }
  entry.code.code_hash = auth::HashCode(*code);
  entry.clear = std::move(code);
}

void CheckAccessLists(TableReader& r, store::AuthCode& c) {
  if (auto ops = r.TextArray("operations")) {
    CheckChoices(r, "operations", *ops, Operation, "the API operations (sendeventmail, nop, ...)");
    c.operations = std::move(*ops);
  }
  if (auto ips = r.TextArray("ips")) {
    if (ips->empty())
      r.Error("ips", "an empty array would allow nothing; leave the key out to allow all");
    for (const auto& ip : *ips) {
      if (!auth::IsValidCidr(ip))
        r.Error("ips", "'" + ip + "' is not a CIDR range like '10.0.0.0/8'");
    }
    c.ips = std::move(*ips);
  }
  if (auto methods = r.TextArray("methods")) {
    CheckChoices(r, "methods", *methods, Method, "GET, POST");
    c.methods = std::move(*methods);
  }
  if (auto protocols = r.TextArray("protocols")) {
    CheckChoices(r, "protocols", *protocols, Protocol, "http, https");
    c.protocols = std::move(*protocols);
  }
  if (auto hosts = r.TextArray("redirect_hosts")) {
    for (auto& host : *hosts) {
      if (auto problem = HostProblem(host)) r.Error("redirect_hosts", *problem);
      host = LowerAscii(host);
    }
    c.redirect_hosts = std::move(*hosts);
  }
}

}  // namespace

void ReadCode(const toml::table& table, ClientScope& scope) {
  ErrorCount errors(scope.diagnostics);
  TableReader r(table, scope.diagnostics, "[[client.code]]");
  CodeEntry entry;
  entry.line = LineOf(table);
  store::AuthCode& c = entry.code;
  c.client_id = scope.client_id;
  const auto name = r.Text("name");
  CheckCode(r, r.Text("code"), entry);
  const auto list_id = r.Id("list");
  CheckAccessLists(r, c);
  c.enabled = r.Bool("enabled").value_or(true);
  r.RejectUnknownKeys();
  if (name && !IsSimpleName(*name))
    r.Error("name", "expected 1 to 64 characters of A-Z a-z 0-9 . _ -");
  if (!list_id) return;
  c.list_id = *list_id;
  const int position = ++scope.codes_per_list[*list_id];
  c.name = name.value_or("list" + std::to_string(*list_id) + "-code" + std::to_string(position));
  if (scope.FindList(*list_id) == nullptr && scope.failure.ok() &&
      !scope.invalid_lists.contains(*list_id)) {
    r.Error("list", "no list " + std::to_string(*list_id) + " in client " +
                        std::to_string(scope.client_id) +
                        " (neither in this file nor in the database)");
  }
  if (!scope.FirstDefinition("code " + c.name, r, name ? "name" : "list",
                             "code name '" + c.name + "'")) {
    return;
  }
  if (errors.Clean()) scope.codes.push_back(std::move(entry));
}

void ReadDkimKey(const toml::table& table, ClientScope& scope) {
  ErrorCount errors(scope.diagnostics);
  TableReader r(table, scope.diagnostics, "[[client.dkim]]");
  store::DkimKey key;
  key.domain = LowerAscii(r.Text("domain", true).value_or(""));
  key.selector = r.Text("selector", true).value_or("");
  key.algorithm = r.Text("algorithm", false).value_or("");  // default: from the key
  const auto file = r.Text("private_key_file", true);
  r.RejectUnknownKeys();
  if (!key.domain.empty()) {
    if (auto problem = HostProblem(key.domain)) r.Error("domain", *problem);
  }
  if (!key.selector.empty() && !IsSimpleName(key.selector)) {
    r.Error("selector", "expected 1 to 64 characters of A-Z a-z 0-9 . _ -");
  }
  if (!key.algorithm.empty() && key.algorithm != "rsa-sha256" &&
      key.algorithm != "ed25519-sha256") {
    r.Error("algorithm", "expected rsa-sha256 or ed25519-sha256");
  }
  if (!file || !errors.Clean()) return;
  const std::filesystem::path path = std::filesystem::path(*file).is_absolute()
                                         ? std::filesystem::path(*file)
                                         : scope.base_dir / *file;
  auto pem = ReadTextFile(path, limits::kMaxKeyFileBytes);
  if (!pem.ok()) {
    r.Error("private_key_file", pem.status().message());
    return;
  }
  key.private_key_pem = std::move(*pem);
  auto signer =
      render::DkimSigner::Load(key.domain, key.selector, key.algorithm, key.private_key_pem);
  if (!signer.ok()) {
    r.Error("private_key_file", path.string() + ": " + signer.status().message());
    return;
  }
  key.algorithm = signer->algorithm();
  if (!scope.FirstDefinition("dkim " + key.selector + "._domainkey." + key.domain, r, "selector",
                             "DKIM key " + key.selector + "._domainkey." + key.domain)) {
    return;
  }
  scope.spec.dkim_keys.push_back(std::move(key));
}

void ReadBlockEntry(const toml::table& table, ClientScope& scope) {
  TableReader r(table, scope.diagnostics, "[[client.blocklist]]");
  const auto pattern = r.Text("pattern", true);
  store::BlockEntry entry;
  entry.reason = r.Text("reason").value_or("provisioning");
  r.RejectUnknownKeys();
  if (!pattern) return;
  Result<std::string> parsed = ParseBlockPattern(*pattern);
  if (!parsed.ok()) {
    r.Error("pattern", parsed.status().message());
    return;
  }
  entry.pattern = std::move(*parsed);
  if (scope.FirstDefinition("block " + entry.pattern, r, "pattern",
                            "blocklist pattern '" + entry.pattern + "'")) {
    scope.spec.blocklist.push_back(std::move(entry));
  }
}

std::optional<std::string> TransportProblem(std::string_view transport) {
  Result<deliver::TransportUrl> url =
      deliver::ParseTransportUrl(transport, limits::kDefaultRelayConnections);
  if (!url.ok()) return url.status().message();
  return std::nullopt;
}

std::optional<BounceProblem> NormaliseBounceSettings(store::Client& client,
                                                     const std::vector<store::Client>& others) {
  client.bounce_domain = LowerAscii(client.bounce_domain);
  client.bounce_local = LowerAscii(client.bounce_local);
  client.complaint_address = LowerAscii(client.complaint_address);
  if (!client.bounce_domain.empty()) {
    Status bounce = CheckBounceSettings(client.bounce_local, client.bounce_domain);
    if (!bounce.ok()) {
      const bool local = bounce.message().find("local part") != std::string::npos;
      return BounceProblem{local ? "bounce_local" : "bounce_domain", bounce.message()};
    }
  } else if (Status local = CheckBounceSettings(client.bounce_local, "bounce.example");
             !local.ok()) {
    return BounceProblem{"bounce_local", local.message()};
  }
  if (!client.complaint_address.empty()) {
    Result<Address> address = Address::Parse(client.complaint_address);
    if (!address.ok()) return BounceProblem{"complaint_address", address.status().message()};
    if (address->ToAscii() != client.complaint_address) {
      return BounceProblem{"complaint_address",
                           "expected an ASCII address like fbl@bounce.example"};
    }
  }
  for (const store::Client& other : others) {
    if (other.id == client.id) continue;
    const std::string owner = " is already used by client " + std::to_string(other.id);
    if (!client.bounce_domain.empty() && LowerAscii(other.bounce_domain) == client.bounce_domain) {
      return BounceProblem{"bounce_domain", "'" + client.bounce_domain + "'" + owner};
    }
    if (!client.complaint_address.empty() &&
        LowerAscii(other.complaint_address) == client.complaint_address) {
      return BounceProblem{"complaint_address", "'" + client.complaint_address + "'" + owner};
    }
  }
  return std::nullopt;
}

std::optional<std::string> HostProblem(std::string_view host) {
  const std::string problem = "'" + std::string(host) + "' is not a host name like www.example.com";
  if (host.empty() || host.size() > limits::kMaxDomainBytes || host.front() == '.' ||
      host.back() == '.' || host.find("..") != std::string_view::npos) {
    return problem;
  }
  const auto ok = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
           static_cast<unsigned char>(c) >= 0x80;  // IDN in UTF-8
  };
  if (!std::all_of(host.begin(), host.end(), ok)) return problem;
  return std::nullopt;
}

}  // namespace campaignd::admin
