#include "admin/api/answer.h"

#include <charconv>

#include "core/limits.h"

namespace campaignd::admin::api {

std::optional<int64_t> ParseInt64(std::string_view text) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

AdminResponse JsonAnswer(int status, const Json& body) {
  AdminResponse response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return response;
}

AdminResponse ErrorAnswer(int status, std::string_view code, std::string_view message) {
  return JsonAnswer(status, Json{{"error", {{"code", code}, {"message", message}}}});
}

AdminResponse NotFound(std::string_view what) {
  return ErrorAnswer(404, "not_found", std::string(what) + " not found");
}

AdminResponse Invalid(std::string_view message) { return ErrorAnswer(422, "invalid", message); }

AdminResponse Conflict(std::string_view message) { return ErrorAnswer(409, "conflict", message); }

AdminResponse StoreFailure(const Status& status) {
  if (status.IsUnavailable()) return ErrorAnswer(503, "unavailable", status.message());
  if (status.IsInvalidArgument()) return ErrorAnswer(422, "invalid", status.message());
  return ErrorAnswer(500, "internal", status.message());
}

AdminResponse NoContent() {
  AdminResponse response;
  response.status = 204;
  response.content_type.clear();
  return response;
}

std::optional<store::PageRequest> ReadPage(const Query& query, AdminResponse* error) {
  store::PageRequest page;
  page.limit = kDefaultPageLimit;
  if (auto it = query.find("limit"); it != query.end()) {
    const std::string& text = it->second;
    std::size_t limit = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (ec != std::errc() || end != text.data() + text.size() || limit < 1 ||
        limit > kMaxPageLimit) {
      *error = ErrorAnswer(400, "bad_request",
                           "limit: expected 1.." + std::to_string(kMaxPageLimit));
      return std::nullopt;
    }
    page.limit = limit;
  }
  if (auto it = query.find("cursor"); it != query.end()) page.after = it->second;
  return page;
}

AdminResponse PageAnswer(Json items, std::size_t limit, std::optional<std::string> last_key) {
  Json next = nullptr;
  if (items.size() == limit && last_key) next = *last_key;
  return JsonAnswer(200, Json{{"items", std::move(items)}, {"next_cursor", next}});
}

bool JsonNestsDeeperThan(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character, whatever it is
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

std::optional<Json> ReadJsonObject(const AdminRequest& request, AdminResponse* error) {
  if (!request.content_type.empty() &&
      !request.content_type.starts_with("application/json")) {
    *error = ErrorAnswer(415, "unsupported_media_type", "expected application/json");
    return std::nullopt;
  }
  if (JsonNestsDeeperThan(request.body, limits::kMaxJsonDepth)) {
    *error = ErrorAnswer(400, "bad_request",
                         "the body nests arrays and objects deeper than " +
                             std::to_string(limits::kMaxJsonDepth) + " levels");
    return std::nullopt;
  }
  Json body = Json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    *error = ErrorAnswer(400, "bad_request", "the body must be a JSON object");
    return std::nullopt;
  }
  return body;
}

}  // namespace campaignd::admin::api
