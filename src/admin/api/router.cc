#include "admin/api/router.h"

#include <algorithm>
#include <array>
#include <boost/url/parse.hpp>
#include <cctype>
#include <charconv>
#include <limits>

#include "admin/api/routes.h"
#include "auth/code_hash.h"
#include "core/limits.h"

namespace campaignd::admin::api {
namespace {

struct Route {
  RouteInfo info;
  Handler handler;
};

using enum BodyKind;

// The query parameters of the paged lists and of the mail search.
constexpr std::string_view kNone = "";
constexpr std::string_view kPage = "limit cursor";
constexpr std::string_view kMailSearch = "limit cursor recipient mailing status since until";
constexpr std::string_view kStats = "from to step";

#define P "/admin/v1/clients"
const std::array<Route, 66> kRoutes = {{
    {{"GET", P, false, kJson, kPage}, ListClients},
    {{"POST", P, true, kJson, kNone}, CreateClient},
    {{"GET", P "/{client}", false, kJson, kNone}, GetClient},
    {{"PATCH", P "/{client}", false, kJson, kNone}, PatchClient},
    {{"GET", P "/{client}/keys", true, kJson, kPage}, ListApiKeys},
    {{"POST", P "/{client}/keys", true, kJson, kNone}, CreateApiKey},
    {{"DELETE", P "/{client}/keys/{key}", true, kJson, kNone}, DeleteApiKey},
    {{"GET", P "/{client}/lists", false, kJson, kPage}, ListLists},
    {{"POST", P "/{client}/lists", false, kJson, kNone}, CreateList},
    {{"GET", P "/{client}/lists/{list}", false, kJson, kNone}, GetList},
    {{"PATCH", P "/{client}/lists/{list}", false, kJson, kNone}, PatchList},
    {{"DELETE", P "/{client}/lists/{list}", false, kJson, kNone}, DeleteList},
    {{"GET", P "/{client}/lists/{list}/fields", false, kJson, kNone}, ListFields},
    {{"POST", P "/{client}/lists/{list}/fields", false, kJson, kNone}, AddField},
    {{"DELETE", P "/{client}/lists/{list}/fields/{field}", false, kJson, kNone}, DeleteField},
    {{"GET", P "/{client}/lists/{list}/recipients", false, kJson, kPage}, ListRecipients},
    {{"POST", P "/{client}/lists/{list}/recipients", false, kJson, kNone}, CreateRecipient},
    {{"POST", P "/{client}/lists/{list}/recipients/bulk", false, kBulkJson, kNone}, BulkRecipients},
    {{"POST", P "/{client}/lists/{list}/recipients/import", false, kCsv, kNone}, ImportRecipients},
    {{"GET", P "/{client}/lists/{list}/recipients/export", false, kJson, kNone}, ExportRecipients},
    {{"GET", P "/{client}/lists/{list}/recipients/{recipient}", false, kJson, kNone}, GetRecipient},
    {{"PUT", P "/{client}/lists/{list}/recipients/{recipient}", false, kJson, kNone}, PutRecipient},
    {{"DELETE", P "/{client}/lists/{list}/recipients/{recipient}", false, kJson, kNone},
     DeleteRecipient},
    {{"GET", P "/{client}/mailings", false, kJson, kPage}, ListMailings},
    {{"POST", P "/{client}/mailings", false, kJson, kNone}, CreateMailing},
    {{"GET", P "/{client}/mailings/{mailing}", false, kJson, kNone}, GetMailing},
    {{"PATCH", P "/{client}/mailings/{mailing}", false, kJson, kNone}, PatchMailing},
    {{"DELETE", P "/{client}/mailings/{mailing}", false, kJson, kNone}, DeleteMailing},
    {{"POST", P "/{client}/mailings/{mailing}/status", false, kJson, kNone}, SetMailingStatus},
    {{"POST", P "/{client}/mailings/{mailing}/preview", false, kJson, kNone}, PreviewMailing},
    {{"GET", P "/{client}/codes", false, kJson, kPage}, ListCodes},
    {{"POST", P "/{client}/codes", false, kJson, kNone}, CreateCode},
    {{"GET", P "/{client}/codes/{code}", false, kJson, kNone}, GetCode},
    {{"PATCH", P "/{client}/codes/{code}", false, kJson, kNone}, PatchCode},
    {{"DELETE", P "/{client}/codes/{code}", false, kJson, kNone}, DeleteCode},
    {{"GET", P "/{client}/blocklist", false, kJson, kPage}, ListBlocklist},
    {{"POST", P "/{client}/blocklist", false, kJson, kNone}, AddBlockEntry},
    {{"DELETE", P "/{client}/blocklist/{pattern}", false, kJson, kNone}, DeleteBlockEntry},
    {{"GET", P "/{client}/relay", false, kJson, kNone}, GetRelay},
    {{"PUT", P "/{client}/relay", false, kJson, kNone}, PutRelay},
    {{"GET", P "/{client}/dkim-keys", false, kJson, kPage}, ListDkimKeys},
    {{"POST", P "/{client}/dkim-keys", false, kJson, kNone}, AddDkimKey},
    {{"DELETE", P "/{client}/dkim-keys/{domain}/{selector}", false, kJson, kNone}, DeleteDkimKey},
    {{"GET", P "/{client}/optins", false, kJson, kPage}, ListOptIns},
    {{"POST", P "/{client}/optins", false, kJson, kNone}, CreateOptIn},
    {{"GET", P "/{client}/optins/{optin}", false, kJson, kNone}, GetOptIn},
    {{"PATCH", P "/{client}/optins/{optin}", false, kJson, kNone}, PatchOptIn},
    {{"DELETE", P "/{client}/optins/{optin}", false, kJson, kNone}, DeleteOptIn},
    {{"GET", P "/{client}/mails", false, kJson, kMailSearch}, SearchMails},
    {{"GET", P "/{client}/mails/{mail}", false, kJson, kNone}, GetMail},
    {{"GET", P "/{client}/webhooks", false, kJson, kNone}, ListWebhooks},
    {{"POST", P "/{client}/webhooks", false, kJson, kNone}, CreateWebhook},
    {{"GET", P "/{client}/webhooks/{webhook}", false, kJson, kNone}, GetWebhook},
    {{"PATCH", P "/{client}/webhooks/{webhook}", false, kJson, kNone}, PatchWebhook},
    {{"DELETE", P "/{client}/webhooks/{webhook}", false, kJson, kNone}, DeleteWebhook},
    {{"POST", P "/{client}/webhooks/{webhook}/activate", false, kJson, kNone}, ActivateWebhook},
    {{"POST", P "/{client}/webhooks/{webhook}/deactivate", false, kJson, kNone}, DeactivateWebhook},
    {{"POST", P "/{client}/webhooks/{webhook}/retry", false, kJson, kNone}, RetryWebhook},
    {{"GET", P "/{client}/webhooks/{webhook}/attempts", false, kJson, kPage}, ListWebhookAttempts},
    {{"GET", P "/{client}/events", false, kJson, kPage}, ListEvents},
    {{"GET", P "/{client}/stats", false, kJson, kStats}, ClientStats},
    {{"GET", P "/{client}/mailings/{mailing}/stats", false, kJson, kStats}, MailingStats},
    {{"GET", P "/{client}/bounces/{address}", false, kJson, kNone}, GetBounces},
    {{"DELETE", P "/{client}/bounces/{address}", false, kJson, kNone}, ResetBounces},
    // Answered before authentication.
    {{"GET", "/openapi.yaml", false, kJson, kNone}, nullptr},
    {{"GET", "/openapi.json", false, kJson, kNone}, nullptr},
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

// The query parameters of `query` that `route` does not take, or nullopt.
std::optional<AdminResponse> UnknownParameters(const RouteInfo& route, const Query& query) {
  std::vector<std::string_view> takes;
  for (std::string_view rest = route.query; !rest.empty();) {
    const auto blank = rest.find(' ');
    takes.push_back(rest.substr(0, blank));
    rest = blank == std::string_view::npos ? std::string_view() : rest.substr(blank + 1);
  }
  std::string unknown;
  for (const auto& [name, value] : query) {
    if (std::find(takes.begin(), takes.end(), name) != takes.end()) continue;
    unknown += (unknown.empty() ? "'" : ", '") + name + "'";
  }
  if (unknown.empty()) return std::nullopt;
  std::string message = "unknown query parameter";
  message += unknown.find(',') == std::string::npos ? " " : "s ";
  message += unknown + "; this route takes ";
  message += takes.empty() ? std::string("none") : std::string(route.query);
  return ErrorAnswer(400, "bad_request", message);
}

std::size_t MaxBodyBytes(BodyKind kind) {
  return kind == BodyKind::kBulkJson ? limits::kMaxAdminBulkBodyBytes : limits::kMaxAdminBodyBytes;
}

AdminResponse BodyTooLarge(std::size_t max_bytes) {
  return ErrorAnswer(
      413, "payload_too_large",
      "the body is larger than the " + std::to_string(max_bytes) + " bytes this route accepts");
}

// One of a client key's upload slots for as long as it lives.
class UploadSlot {
 public:
  UploadSlot(UploadSlots* slots, const Principal& who)
      : slots_(slots != nullptr && !who.admin ? slots : nullptr),
        client_id_(who.client_id),
        taken_(slots_ == nullptr || slots_->TryAcquire(client_id_)) {}
  ~UploadSlot() {
    if (slots_ != nullptr && taken_) slots_->Release(client_id_);
  }
  UploadSlot(const UploadSlot&) = delete;
  UploadSlot& operator=(const UploadSlot&) = delete;
  bool taken() const { return taken_; }

 private:
  UploadSlots* const slots_;
  const int64_t client_id_;
  const bool taken_;
};

// Runs the route with `call.request`'s body whole: read from body_reader
// (a streamed JSON body) within the route's limit, else checked against it.
// A streamed body needs one of the key's upload slots first.
AdminResponse RunWithBody(const Route& route, Call& call) {
  const AdminRequest& request = call.request;
  UploadSlot slot(request.body_reader ? call.context.uploads : nullptr, call.who);
  if (!slot.taken()) {
    return ErrorAnswer(429, "too_many_requests",
                       "at most " + std::to_string(limits::kMaxAdminUploadsPerClient) +
                           " uploads at once per client key; send this one when one has ended");
  }
  if (route.info.body == BodyKind::kCsv) return route.handler(call);
  const std::size_t max_bytes = MaxBodyBytes(route.info.body);
  if (!request.body_reader) {
    if (request.body.size() > max_bytes) return BodyTooLarge(max_bytes);
    return route.handler(call);
  }
  AdminRequest loaded = request;
  loaded.body_reader = nullptr;
  while (true) {
    Result<std::string> chunk = request.body_reader();
    if (!chunk.ok()) return ErrorAnswer(400, "bad_request", chunk.status().message());
    if (chunk->empty()) break;
    loaded.body += *chunk;
    if (loaded.body.size() > max_bytes) return BodyTooLarge(max_bytes);
  }
  Call with_body{loaded,        call.context, call.who, std::move(call.path), std::move(call.query),
                 call.client_id};
  return route.handler(with_body);
}

// Runs the matched route for an authenticated principal.
AdminResponse Dispatch(const Route& route, Call& call) {
  if (route.info.admin_only && !call.who.admin) {
    return ErrorAnswer(403, "forbidden", "this route needs the admin key");
  }
  if (auto unknown = UnknownParameters(route.info, call.query)) return *unknown;
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
  return RunWithBody(route, call);
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

bool UploadSlots::TryAcquire(int64_t client_id) {
  std::lock_guard lock(mu_);
  int& running = running_[client_id];
  if (running >= limits::kMaxAdminUploadsPerClient) return false;
  ++running;
  return true;
}

void UploadSlots::Release(int64_t client_id) {
  std::lock_guard lock(mu_);
  if (--running_[client_id] <= 0) running_.erase(client_id);
}

BodyRule BodyRuleFor(std::string_view method, std::string_view target) {
  BodyRule rule{false, limits::kMaxAdminBodyBytes, "-"};
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return rule;
  std::vector<std::string> segments;
  for (auto segment : url->segments()) segments.push_back(std::string(segment));
  std::map<std::string, std::string, std::less<>> captured;
  for (const Route& route : kRoutes) {
    if (route.info.method != method || !Match(route.info.path, segments, captured)) continue;
    rule.route = route.info.path;
    rule.stream = route.info.body != BodyKind::kJson;
    rule.max_bytes = route.info.body == BodyKind::kCsv ? std::numeric_limits<std::size_t>::max()
                                                       : MaxBodyBytes(route.info.body);
    return rule;
  }
  return rule;
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
