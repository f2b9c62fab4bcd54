// Routes: clients, their API keys and their relay (transport).
#include "admin/api/json_model.h"
#include "admin/api/routes.h"
#include "admin/provisioning_sections.h"
#include "auth/code_hash.h"
#include "core/fields.h"
#include "core/mail_id.h"
#include "deliver/transport_url.h"

namespace campaignd::admin::api {
namespace {

// The {client} of the path (checked to exist by the router).
Result<store::Client> StoredClient(const Call& call) {
  Result<std::optional<store::Client>> found =
      call.context.engine.directory().FindClient(call.client_id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return Status::NotFound("client");
  return std::move(**found);
}

// docs/decisions/0014-relay-policy.md: the operator (admin key, CLI) may set
// any valid transport; a client key only an smtp(s):// relay the operator
// allows (client_relay_hosts), never a file: outbox or a server file. A 403
// naming the rule when `wanted` is not that and differs from what is stored;
// the URL's grammar is TransportProblem's (422), asked after this.
std::optional<AdminResponse> RelayRefused(const Call& call, const std::string& stored,
                                          const std::string& wanted) {
  if (call.who.admin || wanted == stored) return std::nullopt;
  if (auto p = deliver::ClientRelayProblem(wanted, call.context.client_relay_hosts)) {
    return ErrorAnswer(403, "forbidden", "transport: " + *p);
  }
  return std::nullopt;
}

// docs/decisions/0020-bounce-domain.md: bounce_domain, bounce_local and
// complaint_address are the operator's (they decide which addresses the
// inbound listener takes for a client and the envelope sender of its
// mail). A 403 naming the first one a client key's `body` would change.
std::optional<AdminResponse> BounceSettingsRefused(const Call& call, const Json& body,
                                                   const store::Client& stored) {
  if (call.who.admin) return std::nullopt;
  const std::pair<const char*, const std::string*> settings[] = {
      {"bounce_domain", &stored.bounce_domain},
      {"bounce_local", &stored.bounce_local},
      {"complaint_address", &stored.complaint_address}};
  for (const auto& [name, value] : settings) {
    auto it = body.find(name);
    if (it == body.end()) continue;
    if (!it->is_string() || LowerAscii(it->get<std::string>()) != *value) {
      return ErrorAnswer(403, "forbidden",
                         std::string(name) + ": only the operator (admin key) may change it");
    }
  }
  return std::nullopt;
}

AdminResponse UpdateClient(const Call& call, const store::Client& client) {
  Result<store::Change> change = call.catalog().UpdateClient(client);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kNotFound) return NotFound("client");
  return JsonAnswer(200, ClientJson(client));
}

}  // namespace

AdminResponse ListClients(const Call& call) {
  AdminResponse error;
  std::optional<store::PageRequest> page = ReadPage(call.query, &error);
  if (!page) return error;
  Json items = Json::array();
  std::optional<std::string> last;
  if (!call.who.admin) {
    // A client key sees its own client only.
    Result<std::optional<store::Client>> own =
        call.context.engine.directory().FindClient(call.who.client_id);
    if (!own.ok()) return StoreFailure(own.status());
    if (own->has_value() && page->after.empty()) {
      items.push_back(ClientJson(**own));
    }
    return PageAnswer(std::move(items), page->limit, std::nullopt);
  }
  Result<std::vector<store::Client>> clients = call.catalog().ListClients(*page);
  if (!clients.ok()) return StoreFailure(clients.status());
  for (const auto& c : *clients) {
    items.push_back(ClientJson(c));
    last = std::to_string(c.id);
  }
  return PageAnswer(std::move(items), page->limit, last);
}

AdminResponse CreateClient(const Call& call) {
  AdminResponse error;
  std::optional<Json> body = ReadJsonObject(call.request, &error);
  if (!body) return error;
  store::Client client;
  client.transport = "file:outbox";
  Result<std::vector<store::Client>> others = call.catalog().AllClients();
  if (!others.ok()) return StoreFailure(others.status());
  if (Problem p = ReadClient(*body, client, *others)) return Invalid(*p);
  client.mail_id_secret = NewMailIdSecret();
  Result<store::Change> change = call.catalog().CreateClient(client);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kConflict) {
    return Conflict("client " + std::to_string(client.id) + " exists");
  }
  return JsonAnswer(201, ClientJson(client));
}

AdminResponse GetClient(const Call& call) {
  Result<store::Client> client = StoredClient(call);
  if (!client.ok()) return StoreFailure(client.status());
  return JsonAnswer(200, ClientJson(*client));
}

AdminResponse PatchClient(const Call& call) {
  AdminResponse error;
  std::optional<Json> body = ReadJsonObject(call.request, &error);
  if (!body) return error;
  Result<store::Client> client = StoredClient(call);
  if (!client.ok()) return StoreFailure(client.status());
  if (body->contains("id")) return Invalid("id: cannot be changed");
  if (auto it = body->find("transport"); it != body->end() && it->is_string()) {
    if (auto refused = RelayRefused(call, client->transport, it->get<std::string>())) {
      return *refused;
    }
  }
  if (auto refused = BounceSettingsRefused(call, *body, *client)) return *refused;
  Result<std::vector<store::Client>> others = call.catalog().AllClients();
  if (!others.ok()) return StoreFailure(others.status());
  if (Problem p = ReadClient(*body, *client, *others)) return Invalid(*p);
  return UpdateClient(call, *client);
}

AdminResponse ListApiKeys(const Call& call) {
  AdminResponse error;
  std::optional<store::PageRequest> page = ReadPage(call.query, &error);
  if (!page) return error;
  Result<std::vector<store::ApiKey>> keys = call.catalog().ListApiKeys(call.client_id, *page);
  if (!keys.ok()) return StoreFailure(keys.status());
  Json items = Json::array();
  std::optional<std::string> last;
  for (const auto& key : *keys) {
    items.push_back({{"id", key.id}, {"name", key.name}});
    last = std::to_string(key.id);
  }
  return PageAnswer(std::move(items), page->limit, last);
}

AdminResponse CreateApiKey(const Call& call) {
  AdminResponse error;
  std::optional<Json> body = ReadJsonObject(call.request, &error);
  if (!body) return error;
  store::ApiKey key;
  key.client_id = call.client_id;
  if (auto it = body->find("name"); it != body->end()) {
    if (!it->is_string()) return Invalid("name: expected a string");
    key.name = it->get<std::string>();
  }
  const std::string secret = auth::GenerateCode();
  key.key_hash = auth::HashCode(secret);
  key.created_at = call.context.clock.Now();
  Result<store::Change> change = call.catalog().CreateApiKey(key);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kNotFound) return NotFound("client");
  return JsonAnswer(201, Json{{"id", key.id}, {"name", key.name}, {"key", secret}});
}

AdminResponse DeleteApiKey(const Call& call) {
  AdminResponse error;
  std::optional<int64_t> id = call.PathInt("key", &error);
  if (!id) return error;
  Result<store::Change> change = call.catalog().DeleteApiKey(call.client_id, *id);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kNotFound) return NotFound("key");
  return NoContent();
}

AdminResponse GetRelay(const Call& call) {
  Result<store::Client> client = StoredClient(call);
  if (!client.ok()) return StoreFailure(client.status());
  return JsonAnswer(200, Json{{"transport", store::RedactUrl(client->transport)}});
}

AdminResponse PutRelay(const Call& call) {
  AdminResponse error;
  std::optional<Json> body = ReadJsonObject(call.request, &error);
  if (!body) return error;
  auto it = body->find("transport");
  if (it == body->end() || !it->is_string()) return Invalid("transport: required string");
  Result<store::Client> client = StoredClient(call);
  if (!client.ok()) return StoreFailure(client.status());
  if (auto refused = RelayRefused(call, client->transport, it->get<std::string>())) {
    return *refused;
  }
  client->transport = it->get<std::string>();
  if (auto p = TransportProblem(client->transport)) return Invalid("transport: " + *p);
  AdminResponse updated = UpdateClient(call, *client);
  if (updated.status != 200) return updated;
  return JsonAnswer(200, Json{{"transport", store::RedactUrl(client->transport)}});
}

}  // namespace campaignd::admin::api
