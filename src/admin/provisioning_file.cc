#include "admin/provisioning_file.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "admin/provisioning_sections.h"
#include "auth/code_hash.h"
#include "config/toml_reader.h"
#include "core/limits.h"
#include "core/mail_id.h"
#include "webhook/subscription.h"

namespace campaignd::admin {
namespace {

using SectionReader = void (*)(const toml::table&, ClientScope&);

void ReadSections(TableReader& reader, std::string_view key, SectionReader read,
                  ClientScope& scope) {
  const toml::node* node = reader.Node(key);
  if (node == nullptr) return;
  const toml::array* array = node->as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    reader.Error(key, "expected [[client." + std::string(key) + "]] sections");
    return;
  }
  for (const toml::node& element : *array) read(*element.as_table(), scope);
}

void ReadClientSettings(TableReader& r, store::Client& client) {
  client.name = r.Text("name", true).value_or("");
  if (auto transport = r.Text("transport", true)) {
    if (auto problem = TransportProblem(*transport)) r.Error("transport", *problem);
    client.transport = *transport;
  }
  if (auto hosts = r.TextArray("redirect_hosts")) {
    for (auto& host : *hosts) {
      if (auto problem = HostProblem(host)) r.Error("redirect_hosts", *problem);
      host = LowerAscii(host);
    }
    client.redirect_hosts = std::move(*hosts);
  }
  client.bounce_limit = limits::kDefaultBounceLimit;
  if (auto limit = r.Integer("bounce_limit")) {
    if (*limit < 1 || *limit > std::numeric_limits<int>::max()) {
      r.Error("bounce_limit", "expected a positive integer");
    }
    client.bounce_limit = static_cast<int>(*limit);
  }
  if (auto rate = r.Integer("rate_limit")) {
    if (*rate < 0 || *rate > std::numeric_limits<int>::max()) {
      r.Error("rate_limit", "expected messages per second, 0 or more (0: unlimited)");
    }
    client.rate_limit = static_cast<int>(*rate);
  }
  // Bounces and complaints inbound (events.md §2, docs/decisions/0020).
  client.bounce_domain = r.Text("bounce_domain").value_or("");
  client.bounce_local = r.Text("bounce_local").value_or("bounces");
  client.complaint_address = r.Text("complaint_address").value_or("");
  if (auto problem = NormaliseBounceSettings(client)) r.Error(problem->member, problem->message);
  // uploadpersonalizedattachments (docs/decisions/0011); off unless asked for.
  client.attachments = r.Bool("attachments").value_or(false);
  client.mail_id_secret = NewMailIdSecret();  // the store keeps an existing client's
}

// Reads one [[client]]; lists first, so the other sections can refer to them.
void ReadClient(const toml::table& table, ClientScope& scope) {
  TableReader r(table, scope.diagnostics, "[[client]]");
  r.Node("id");  // checked by the caller; marks the key as known
  ReadClientSettings(r, scope.spec.client);
  ReadSections(r, "dkim", ReadDkimKey, scope);
  ReadSections(r, "list", ReadList, scope);
  ReadSections(r, "recipient", ReadRecipient, scope);
  ReadSections(r, "mailing", ReadMailing, scope);
  ReadSections(r, "code", ReadCode, scope);
  ReadSections(r, "blocklist", ReadBlockEntry, scope);
  ReadSections(r, "optin", ReadOptIn, scope);
  ReadSections(r, "webhook", ReadWebhook, scope);
  r.RejectUnknownKeys();
}

// Gives every code its hash: the given code's, the stored one's (empty hash:
// the store keeps it) or a new generated code's.
Status ResolveCodes(ClientScope& scope, const ExistingRecords& existing,
                    std::map<std::string, int>& hash_lines, std::vector<GeneratedCode>& generated) {
  auto names = existing.code_names(scope.client_id);
  if (!names.ok()) return names.status();
  const std::set<std::string> stored(names->begin(), names->end());
  for (CodeEntry& entry : scope.codes) {
    store::AuthCode& code = entry.code;
    if (entry.clear) {
      const auto [it, inserted] = hash_lines.emplace(code.code_hash, entry.line);
      if (!inserted) {
        scope.diagnostics.Add(entry.line, "code: the same code is given twice (first at line " +
                                              std::to_string(it->second) + ")");
        continue;
      }
      auto owner = existing.find_code(code.code_hash);
      if (!owner.ok()) return owner.status();
      if (*owner && ((*owner)->client_id != code.client_id || (*owner)->name != code.name)) {
        scope.diagnostics.Add(entry.line, "code: already in use by client " +
                                              std::to_string((*owner)->client_id) + " code '" +
                                              (*owner)->name + "'");
        continue;
      }
    } else if (!stored.contains(code.name)) {
      std::string clear = auth::GenerateCode();
      code.code_hash = auth::HashCode(clear);
      generated.push_back({code.client_id, code.list_id, code.name, std::move(clear)});
    }
    scope.spec.codes.push_back(code);
  }
  return Status::Ok();
}

// A webhook whose id is new gets its signing secret, shown once; an
// existing one keeps the stored secret (the store never replaces it).
Status ResolveWebhookSecrets(ClientScope& scope, const ExistingRecords& existing,
                             std::vector<GeneratedWebhookSecret>& generated) {
  if (scope.webhooks.empty()) return Status::Ok();
  std::set<int64_t> stored;
  if (existing.webhook_ids) {
    auto ids = existing.webhook_ids(scope.client_id);
    if (!ids.ok()) return ids.status();
    stored.insert(ids->begin(), ids->end());
  }
  for (store::events::Webhook& w : scope.webhooks) {
    if (stored.contains(w.id)) continue;
    w.signing_secret = webhook::NewSigningSecret();
    generated.push_back({w.client_id, w.id, webhook::SigningKey(w.signing_secret)});
  }
  return Status::Ok();
}

// The [[client]] tables, or null after reporting why there are none.
const toml::array* ClientTables(const toml::table& file, Diagnostics& diagnostics) {
  TableReader top(file, diagnostics, "the file (only [[client]] sections belong at the top)");
  const toml::node* node = top.Node("client");
  top.RejectUnknownKeys();
  if (node == nullptr) {
    diagnostics.Add(0, "no [[client]] section");
    return nullptr;
  }
  if (!node->is_array_of_tables()) {
    top.Error("client", "expected [[client]] sections");
    return nullptr;
  }
  return node->as_array();
}

// Decision 0020: no two clients share a bounce_domain or complaint_address,
// among the file's clients (the later one is reported) and against the
// stored clients the file does not name (through NormaliseBounceSettings,
// the one check of them).
Status CheckSharedBounceSettings(std::vector<ClientScope>& scopes, const ExistingRecords& existing,
                                 Diagnostics& diagnostics) {
  std::vector<store::Client> others;
  if (existing.clients) {
    Result<std::vector<store::Client>> stored = existing.clients();
    if (!stored.ok()) return stored.status();
    for (store::Client& c : *stored) {
      const bool named = std::any_of(scopes.begin(), scopes.end(), [&](const ClientScope& s) {
        return s.spec.client.id == c.id;
      });
      if (!named) others.push_back(std::move(c));
    }
  }
  for (ClientScope& scope : scopes) {
    if (auto problem = NormaliseBounceSettings(scope.spec.client, others)) {
      const int line =
          problem->member == "bounce_domain" ? scope.bounce_lines.first : scope.bounce_lines.second;
      diagnostics.Add(line, problem->member + ": " + problem->message);
    }
    others.push_back(scope.spec.client);
  }
  return Status::Ok();
}

}  // namespace

Result<Provisioning> ParseProvisioning(std::string_view text, std::string_view file_name,
                                       const std::filesystem::path& base_dir,
                                       const ExistingRecords& existing, AddressLiterals literals) {
  auto file = ParseTomlText(text, file_name);
  if (!file.ok()) return file.status();
  Diagnostics diagnostics{std::string(file_name)};
  const toml::array* clients = ClientTables(*file, diagnostics);
  if (clients == nullptr) return diagnostics.ToStatus();

  std::vector<ClientScope> scopes;
  std::map<int64_t, int> client_lines;
  for (const toml::node& node : *clients) {
    const toml::table& table = *node.as_table();
    TableReader id_reader(table, diagnostics, "[[client]]");
    const auto id = id_reader.Id("id");
    if (id && !client_lines.emplace(*id, id_reader.Line("id")).second) {
      id_reader.Error("id", "duplicate client " + std::to_string(*id) + " (first at line " +
                                std::to_string(client_lines[*id]) + ")");
    }
    ClientScope scope(id.value_or(0), diagnostics, existing, base_dir);
    scope.address_literals = literals;
    scope.spec.client.id = scope.client_id;
    ReadClient(table, scope);
    if (!scope.failure.ok()) return scope.failure;
    scope.bounce_lines = {id_reader.Line("bounce_domain"), id_reader.Line("complaint_address")};
    scopes.push_back(std::move(scope));
  }
  if (!diagnostics.empty()) return diagnostics.ToStatus();
  CAMPAIGND_RETURN_IF_ERROR(CheckSharedBounceSettings(scopes, existing, diagnostics));
  if (!diagnostics.empty()) return diagnostics.ToStatus();

  Provisioning result;
  std::map<std::string, int> hash_lines;
  for (ClientScope& scope : scopes) {
    CAMPAIGND_RETURN_IF_ERROR(ResolveCodes(scope, existing, hash_lines, result.generated_codes));
    CAMPAIGND_RETURN_IF_ERROR(
        ResolveWebhookSecrets(scope, existing, result.generated_webhook_secrets));
    for (auto& w : scope.webhooks) result.webhooks.push_back(std::move(w));
    result.clients.push_back(std::move(scope.spec));
  }
  if (!diagnostics.empty()) return diagnostics.ToStatus();
  return result;
}

Result<Provisioning> LoadProvisioningFile(const std::filesystem::path& file,
                                          const ExistingRecords& existing,
                                          AddressLiterals literals) {
  auto text = ReadTextFile(file, limits::kMaxTomlFileBytes);
  if (!text.ok()) return text.status();
  return ParseProvisioning(*text, file.string(), file.parent_path(), existing, literals);
}

}  // namespace campaignd::admin
