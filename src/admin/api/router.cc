#include "admin/api/router.h"

#include <algorithm>
#include <cctype>
#include <array>
#include <boost/url/parse.hpp>
#include <charconv>

#include "admin/api/routes.h"
#include "auth/code_hash.h"

namespace campaignd::admin::api {
namespace {

struct Route {
  RouteInfo info;
  Handler handler;
};

#define P "/admin/v1/clients"
const std::array<Route, 52> kRoutes = {{
    {{"GET", P, false}, ListClients},
    {{"POST", P, true}, CreateClient},
    {{"GET", P "/{client}", false}, GetClient},
    {{"PATCH", P "/{client}", false}, PatchClient},
    {{"GET", P "/{client}/keys", true}, ListApiKeys},
    {{"POST", P "/{client}/keys", true}, CreateApiKey},
    {{"DELETE", P "/{client}/keys/{key}", true}, DeleteApiKey},
    {{"GET", P "/{client}/lists", false}, ListLists},
    {{"POST", P "/{client}/lists", false}, CreateList},
    {{"GET", P "/{client}/lists/{list}", false}, GetList},
    {{"PATCH", P "/{client}/lists/{list}", false}, PatchList},
    {{"DELETE", P "/{client}/lists/{list}", false}, DeleteList},
    {{"GET", P "/{client}/lists/{list}/fields", false}, ListFields},
    {{"POST", P "/{client}/lists/{list}/fields", false}, AddField},
    {{"DELETE", P "/{client}/lists/{list}/fields/{field}", false}, DeleteField},
    {{"GET", P "/{client}/lists/{list}/recipients", false}, ListRecipients},
    {{"POST", P "/{client}/lists/{list}/recipients", false}, CreateRecipient},
    {{"POST", P "/{client}/lists/{list}/recipients/bulk", false}, BulkRecipients},
    {{"POST", P "/{client}/lists/{list}/recipients/import", false}, ImportRecipients},
    {{"GET", P "/{client}/lists/{list}/recipients/export", false}, ExportRecipients},
    {{"GET", P "/{client}/lists/{list}/recipients/{recipient}", false}, GetRecipient},
    {{"PUT", P "/{client}/lists/{list}/recipients/{recipient}", false}, PutRecipient},
    {{"DELETE", P "/{client}/lists/{list}/recipients/{recipient}", false}, DeleteRecipient},
    {{"GET", P "/{client}/mailings", false}, ListMailings},
    {{"POST", P "/{client}/mailings", false}, CreateMailing},
    {{"GET", P "/{client}/mailings/{mailing}", false}, GetMailing},
    {{"PATCH", P "/{client}/mailings/{mailing}", false}, PatchMailing},
    {{"DELETE", P "/{client}/mailings/{mailing}", false}, DeleteMailing},
    {{"POST", P "/{client}/mailings/{mailing}/status", false}, SetMailingStatus},
    {{"POST", P "/{client}/mailings/{mailing}/preview", false}, PreviewMailing},
    {{"GET", P "/{client}/codes", false}, ListCodes},
    {{"POST", P "/{client}/codes", false}, CreateCode},
    {{"GET", P "/{client}/codes/{code}", false}, GetCode},
    {{"PATCH", P "/{client}/codes/{code}", false}, PatchCode},
    {{"DELETE", P "/{client}/codes/{code}", false}, DeleteCode},
    {{"GET", P "/{client}/blocklist", false}, ListBlocklist},
    {{"POST", P "/{client}/blocklist", false}, AddBlockEntry},
    {{"DELETE", P "/{client}/blocklist/{pattern}", false}, DeleteBlockEntry},
    {{"GET", P "/{client}/relay", false}, GetRelay},
    {{"PUT", P "/{client}/relay", false}, PutRelay},
    {{"GET", P "/{client}/dkim-keys", false}, ListDkimKeys},
    {{"POST", P "/{client}/dkim-keys", false}, AddDkimKey},
    {{"DELETE", P "/{client}/dkim-keys/{domain}/{selector}", false}, DeleteDkimKey},
    {{"GET", P "/{client}/optins", false}, ListOptIns},
    {{"POST", P "/{client}/optins", false}, CreateOptIn},
    {{"GET", P "/{client}/optins/{optin}", false}, GetOptIn},
    {{"PATCH", P "/{client}/optins/{optin}", false}, PatchOptIn},
    {{"DELETE", P "/{client}/optins/{optin}", false}, DeleteOptIn},
    {{"GET", P "/{client}/mails", false}, SearchMails},
    {{"GET", P "/{client}/mails/{mail}", false}, GetMail},
    {{"GET", "/openapi.yaml", false}, nullptr},  // answered before authentication
    {{"GET", "/openapi.json", false}, nullptr},
}};
#undef P

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    if (path.front() == '/') path.remove_prefix(1);
    const auto slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return parts;
}

// Whether `pattern` matches the decoded `segments`; fills `captured`.
bool Match(std::string_view pattern, const std::vector<std::string>& segments,
           std::map<std::string, std::string, std::less<>>& captured) {
  const std::vector<std::string_view> parts = SplitPath(pattern);
  if (parts.size() != segments.size()) return false;
  captured.clear();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].starts_with('{')) {
      if (segments[i].empty()) return false;
      captured[std::string(parts[i].substr(1, parts[i].size() - 2))] = segments[i];
    } else if (parts[i] != segments[i]) {
      return false;
    }
  }
  return true;
}

// The principal of `request`; nullopt (and *error: 401 or a store failure).
std::optional<Principal> Authenticate(const AdminRequest& request, const AdminContext& context,
                                      AdminResponse* error) {
  if (request.as) return request.as;
  constexpr std::string_view kBearer = "Bearer ";
  std::string_view header = request.authorization;
  if (header.size() <= kBearer.size() ||
      !std::equal(kBearer.begin(), kBearer.end(), header.begin(),
                  [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
    *error = ErrorAnswer(401, "unauthorized", "an Authorization: Bearer KEY header is required");
    return std::nullopt;
  }
  const std::string hash = auth::HashCode(header.substr(kBearer.size()));
  if (!context.admin_key_hash.empty() && auth::CodeHashEquals(hash, context.admin_key_hash)) {
    return Principal{.admin = true};
  }
  Result<std::optional<store::ApiKey>> key = context.catalog.FindApiKey(hash);
  if (!key.ok()) {
    *error = StoreFailure(key.status());
    return std::nullopt;
  }
  if (!key->has_value() || !auth::CodeHashEquals((*key)->key_hash, hash)) {
    *error = ErrorAnswer(401, "unauthorized", "unknown API key");
    return std::nullopt;
  }
  return Principal{.admin = false, .client_id = (*key)->client_id};
}

AdminResponse OpenApiAnswer() {
  AdminResponse response;
  response.content_type = "application/yaml";
  response.body = std::string(OpenApiDocument());
  return response;
}

// Runs the matched route for an authenticated principal.
AdminResponse Dispatch(const Route& route, Call& call) {
  if (route.info.admin_only && !call.who.admin) {
    return ErrorAnswer(403, "forbidden", "this route needs the admin key");
  }
  if (auto it = call.path.find("client"); it != call.path.end()) {
    AdminResponse error;
    std::optional<int64_t> client = call.PathInt("client", &error);
    if (!client) return error;
    if (!call.who.admin && *client != call.who.client_id) {
      return ErrorAnswer(403, "forbidden", "this key belongs to another client");
    }
    call.client_id = *client;
    Result<std::optional<store::Client>> found =
        call.context.engine.directory().FindClient(*client);
    if (!found.ok()) return StoreFailure(found.status());
    if (!found->has_value()) return NotFound("client " + it->second);
  }
  return route.handler(call);
}

}  // namespace

std::optional<int64_t> Call::PathInt(std::string_view name, AdminResponse* error) const {
  const std::string& text = path.find(name)->second;
  const std::optional<int64_t> value = ParseInt64(text);
  if (!value || *value <= 0) {
    *error = NotFound(std::string(name) + " " + text);
    return std::nullopt;
  }
  return value;
}

AdminResponse HandleAdmin(const AdminRequest& request, const AdminContext& context) {
  auto target = boost::urls::parse_origin_form(request.target);
  if (!target) return ErrorAnswer(400, "bad_request", "malformed request target");
  std::vector<std::string> segments;
  for (auto segment : target->segments()) segments.push_back(std::string(segment));
  std::map<std::string, std::string, std::less<>> captured;
  bool path_known = false;
  for (const Route& route : kRoutes) {
    if (!Match(route.info.path, segments, captured)) continue;
    path_known = true;
    if (route.info.method != request.method) continue;
    if (route.handler == nullptr) return OpenApiAnswer();
    AdminResponse error;
    std::optional<Principal> who = Authenticate(request, context, &error);
    if (!who) return error;
    Call call{request, context, *who, std::move(captured), {}, 0};
    for (auto param : target->params()) call.query[param.key] = param.value;
    return Dispatch(route, call);
  }
  if (path_known) return ErrorAnswer(405, "method_not_allowed", "method not allowed here");
  return ErrorAnswer(404, "not_found", "no such route");
}

std::span<const RouteInfo> AdminRoutes() {
  static const std::vector<RouteInfo> kInfos = [] {
    std::vector<RouteInfo> infos;
    for (const Route& route : kRoutes) infos.push_back(route.info);
    return infos;
  }();
  return kInfos;
}

}  // namespace campaignd::admin::api
