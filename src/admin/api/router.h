// The admin JSON API (behaviour.md §5, docs/admin-api.yaml): HandleAdmin is
// a plain function from an AdminRequest to an AdminResponse, independent of
// any socket, so the listener (listener.h) and the CLI (in process, as the
// operator) share every route, check and error answer.
// Input: untrusted (method, target, Authorization, body); bodies are read in
// chunks where they may be large (CSV import). Threads: safe from several
// threads at once; blocks on the store (call it from a blocking thread).
// Errors: every failure is an answer {"error":{"code","message"}} with a
// 400/401/403/404/405/409/413/422/500/503 status; nothing throws.
#ifndef CAMPAIGND_ADMIN_API_ROUTER_H_
#define CAMPAIGND_ADMIN_API_ROUTER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/address.h"
#include "core/clock.h"
#include "core/status.h"
#include "store/catalog.h"
#include "store/store.h"

namespace campaignd::admin::api {

// Who a request acts as: the operator (server-wide admin key, or the CLI in
// process) may do everything; a client key only its own client's routes.
struct Principal {
  bool admin = false;
  int64_t client_id = 0;  // when !admin
};

// The next chunk of a streamed request body; an empty string ends it.
using BodyReader = std::function<Result<std::string>()>;
// Writes one chunk of a streamed response body; a failed Status stops it.
using BodyWriter = std::function<Status(std::string_view chunk)>;

struct AdminRequest {
  std::string method;         // "GET", "POST", "PUT", "PATCH", "DELETE"
  std::string target;         // path and query: "/admin/v1/clients/7/lists?limit=10"
  std::string authorization;  // the Authorization header ("Bearer KEY"); may be empty
  // Set by in-process callers that are the operator (the CLI): no key check.
  std::optional<Principal> as;
  std::string content_type;  // "application/json", "text/csv"; parameters allowed
  std::string body;          // the whole body, unless body_reader is set
  BodyReader body_reader;    // the body in chunks (the listener streams CSV imports)
};

struct AdminResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Set for streamed answers (CSV export): the caller sends the status and
  // headers, then calls stream once with a writer; body is then empty.
  std::function<Status(const BodyWriter&)> stream;
};

// What HandleAdmin works with. REQUIRES: every reference outlives the calls.
struct AdminContext {
  store::Engine& engine;        // directory(), queue()
  store::Catalog& catalog;      // store::OpenCatalog(engine)
  Clock& clock;                 // mail search defaults, created times
  // SHA-256 hex (auth::HashCode) of the server-wide admin key; empty: no
  // admin key configured (only in-process operators may create clients).
  std::string admin_key_hash;
  std::string public_url;       // base of system URLs in previews
  // docs/decisions/0014-relay-policy.md: the relays a client key may choose
  // (client_relay_hosts; the operator may set any valid transport), and
  // whether recipient addresses may be address literals.
  std::vector<std::string> client_relay_hosts;
  AddressLiterals address_literals = AddressLiterals::kRefuse;
};

// Answers one request. Never throws; a store failure is 503 (Unavailable)
// or 500 with the Status message.
AdminResponse HandleAdmin(const AdminRequest& request, const AdminContext& context);

// One route of the API as docs/admin-api.yaml names it.
struct RouteInfo {
  std::string_view method;      // "GET", ...
  std::string_view path;        // "/admin/v1/clients/{client}/lists"
  bool admin_only = false;      // needs the admin key
};

// Every route HandleAdmin answers (the OpenAPI test compares them).
std::span<const RouteInfo> AdminRoutes();

// The OpenAPI 3 document (docs/admin-api.yaml) as served at /openapi.yaml.
std::string_view OpenApiDocument();

}  // namespace campaignd::admin::api

#endif  // CAMPAIGND_ADMIN_API_ROUTER_H_
