// Answers of the admin API: JSON bodies, the error shape
// {"error":{"code","message"}} with its HTTP status, a failed store Status
// as 503/500, pages {"items","next_cursor"}, and reading the limit/cursor
// query and JSON request bodies. Private to admin/api.
// Threads: pure functions. Errors: none (everything is an answer).
#ifndef CAMPAIGND_ADMIN_API_ANSWER_H_
#define CAMPAIGND_ADMIN_API_ANSWER_H_

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "admin/api/router.h"
#include "core/status.h"
#include "store/catalog.h"

namespace campaignd::admin::api {

using Json = nlohmann::json;

// Items per page when ?limit= is absent, and the most a page may hold.
inline constexpr std::size_t kDefaultPageLimit = 100;
inline constexpr std::size_t kMaxPageLimit = 1000;

// The whole of `text` as a decimal integer; nullopt otherwise.
std::optional<int64_t> ParseInt64(std::string_view text);

AdminResponse JsonAnswer(int status, const Json& body);
AdminResponse ErrorAnswer(int status, std::string_view code, std::string_view message);
// 404 not_found "<what> not found".
AdminResponse NotFound(std::string_view what);
// 422 invalid.
AdminResponse Invalid(std::string_view message);
// 409 conflict.
AdminResponse Conflict(std::string_view message);
// A failed store call: Unavailable -> 503 unavailable, InvalidArgument ->
// 422 invalid (a constraint), anything else -> 500 internal.
AdminResponse StoreFailure(const Status& status);
// 204, no body.
AdminResponse NoContent();

// The decoded query parameters of a request target.
using Query = std::map<std::string, std::string, std::less<>>;

// ?limit= and ?cursor=; nullopt (and *error set) for a bad limit.
std::optional<store::PageRequest> ReadPage(const Query& query, AdminResponse* error);
// {"items": items, "next_cursor": next or null}: next is set when the page
// is full (there may be more).
AdminResponse PageAnswer(Json items, std::size_t limit, std::optional<std::string> last_key);

// Whether `text` nests arrays and objects more than `max_depth` deep,
// counting brackets outside strings in one pass without allocating (the
// check before a parser builds a tree of it). Malformed text is left to
// the parser.
bool JsonNestsDeeperThan(std::string_view text, int max_depth);

// The request body as a JSON object; nullopt (and *error: 400 or 415) else.
// A body nested deeper than limits::kMaxJsonDepth is 400 without parsing.
std::optional<Json> ReadJsonObject(const AdminRequest& request, AdminResponse* error);

}  // namespace campaignd::admin::api

#endif  // CAMPAIGND_ADMIN_API_ANSWER_H_
