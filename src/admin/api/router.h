// The admin JSON API (behaviour.md §5, docs/admin-api.yaml): HandleAdmin is
// a plain function from an AdminRequest to an AdminResponse, independent of
// any socket, so the listener (listener.h) and the CLI (in process, as the
// operator) share every route, check and error answer.
// Input: untrusted (method, target, Authorization, body); bodies are read in
// chunks where they may be large (CSV import). Threads: safe from several
// threads at once; blocks on the store (call it from a blocking thread).
// Errors: every failure is an answer {"error":{"code","message"}} with a
// 400/401/403/404/405/409/413/415/422/429/500/503 status; nothing throws.
// Bodies: a JSON body over its route's limit is 413, one nested deeper
// than limits::kMaxJsonDepth 400, both before parsing; a query parameter
// the route does not take is 400 naming it.
#ifndef CAMPAIGND_ADMIN_API_ROUTER_H_
#define CAMPAIGND_ADMIN_API_ROUTER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
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
  // The body in chunks (the listener streams CSV imports and bulk upserts);
  // a JSON route's body is read from it, within the route's limit, once the
  // key and the client are checked.
  BodyReader body_reader;
};

struct AdminResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Set for streamed answers (CSV export): the caller sends the status and
  // headers, then calls stream once with a writer; body is then empty.
  std::function<Status(const BodyWriter&)> stream;
};

// The streamed uploads running per client key (limits::
// kMaxAdminUploadsPerClient). Threads: safe from any thread.
class UploadSlots {
 public:
  // Takes one of `client_id`'s slots; false when all are taken.
  bool TryAcquire(int64_t client_id);
  void Release(int64_t client_id);

 private:
  std::mutex mu_;
  std::map<int64_t, int> running_;  // guarded by mu_
};

// What HandleAdmin works with. REQUIRES: every reference outlives the calls.
struct AdminContext {
  store::Engine& engine;        // directory(), queue()
  store::Catalog& catalog;      // over engine.runner()
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
  // Set by the listener's service: bounds streamed uploads per client key;
  // null (the CLI in process): no bound.
  UploadSlots* uploads = nullptr;
};

// Answers one request. Never throws; a store failure is 503 (Unavailable)
// or 500 with the Status message.
AdminResponse HandleAdmin(const AdminRequest& request, const AdminContext& context);

// How a route takes its request body (limits: core/limits.h; docs/
// decisions/0012-admin-api.md "Where it listens").
enum class BodyKind {
  kJson,      // read whole before the route runs, at most kMaxAdminBodyBytes
  kBulkJson,  // streamed by the listener; read after the key check, at most
              // kMaxAdminBulkBodyBytes
  kCsv,       // streamed into the route chunk by chunk, no size limit
};

// One route of the API as docs/admin-api.yaml names it.
struct RouteInfo {
  std::string_view method;      // "GET", ...
  std::string_view path;        // "/admin/v1/clients/{client}/lists"
  bool admin_only = false;      // needs the admin key
  BodyKind body = BodyKind::kJson;
  // The query parameters it takes, blank-separated; any other: 400.
  std::string_view query;
};

// Every route HandleAdmin answers (the OpenAPI test compares them).
std::span<const RouteInfo> AdminRoutes();

// What the listener needs to know about a request before reading its body
// (from the method and target alone: no key check, no store access).
struct BodyRule {
  bool stream = false;        // kBulkJson and kCsv routes: AdminRequest::body_reader
  std::size_t max_bytes = 0;  // a Content-Length above it: 413 before reading
  std::string_view route;     // the route's path pattern ("-" when none): for the log
};
BodyRule BodyRuleFor(std::string_view method, std::string_view target);

// The OpenAPI 3 document (docs/admin-api.yaml) as served at /openapi.yaml.
std::string_view OpenApiDocument();

}  // namespace campaignd::admin::api

#endif  // CAMPAIGND_ADMIN_API_ROUTER_H_
