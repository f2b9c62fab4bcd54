// Routes: authorization codes, the blocklist and DKIM keys - what decides
// who may send and how mail is signed. Secrets go in, never out.
#include <algorithm>

#include "admin/api/json_model.h"
#include "admin/api/routes.h"
#include "admin/provisioning_sections.h"
#include "auth/code_hash.h"
#include "core/address.h"
#include "core/limits.h"
#include "render/dkim.h"

namespace campaignd::admin::api {
namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return text;
}

// The code named {code}; nullopt and *error (404, store failure) else.
// Codes per client are few: the lookup pages through them.
std::optional<store::AuthCode> PathCode(const Call& call, AdminResponse* error) {
  const std::string& name = call.path.find("code")->second;
  store::PageRequest page{.after = "", .limit = kMaxPageLimit};
  while (true) {
    Result<std::vector<store::AuthCode>> codes = call.catalog().ListCodes(call.client_id, page);
    if (!codes.ok()) {
      *error = StoreFailure(codes.status());
      return std::nullopt;
    }
    for (auto& code : *codes) {
      if (code.name == name) return std::move(code);
    }
    if (codes->size() < page.limit) break;
    page.after = codes->back().name;
  }
  *error = NotFound("code " + name);
  return std::nullopt;
}

// The code's list exists; a problem otherwise.
std::optional<AdminResponse> CheckCodeList(const Call& call, const store::AuthCode& code) {
  Result<std::optional<store::RecipientList>> list =
      call.context.engine.directory().FindList(call.client_id, code.list_id);
  if (!list.ok()) return StoreFailure(list.status());
  if (!list->has_value()) return Invalid("list_id: list " + std::to_string(code.list_id) + " not found");
  return std::nullopt;
}

}  // namespace

AdminResponse ListCodes(const Call& call) {
  AdminResponse error;
  std::optional<store::PageRequest> page = ReadPage(call.query, &error);
  if (!page) return error;
  Result<std::vector<store::AuthCode>> codes = call.catalog().ListCodes(call.client_id, *page);
  if (!codes.ok()) return StoreFailure(codes.status());
  Json items = Json::array();
  std::optional<std::string> last;
  for (const auto& c : *codes) {
    items.push_back(CodeJson(c));
    last = c.name;
  }
  return PageAnswer(std::move(items), page->limit, last);
}

AdminResponse CreateCode(const Call& call) {
  AdminResponse error;
  std::optional<Json> body = ReadJsonObject(call.request, &error);
  if (!body) return error;
  store::AuthCode code;
  code.client_id = call.client_id;
  if (Problem p = ReadCode(*body, code)) return Invalid(*p);
  std::string clear = auth::GenerateCode();
  if (auto it = body->find("code"); it != body->end()) {
    if (!it->is_string() || !auth::IsValidCode(it->get<std::string>())) {
      return Invalid("code: expected 6 to 128 characters of A-Z a-z 0-9 - _ . ~");
    }
    clear = it->get<std::string>();
  }
  code.code_hash = auth::HashCode(clear);
  code.name = "list" + std::to_string(code.list_id) + "-" + code.code_hash.substr(0, 12);
  if (auto it = body->find("name"); it != body->end()) {
    if (!it->is_string() || it->get<std::string>().empty()) return Invalid("name: expected a string");
    code.name = it->get<std::string>();
  }
  if (auto problem = CheckCodeList(call, code)) return *problem;
  Result<store::Change> change = call.catalog().CreateCode(code);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kConflict) return Conflict("a code with this name or value exists");
  Json answer = CodeJson(code);
  answer["code"] = clear;
  return JsonAnswer(201, answer);
}

AdminResponse GetCode(const Call& call) {
  AdminResponse error;
  std::optional<store::AuthCode> code = PathCode(call, &error);
  if (!code) return error;
  return JsonAnswer(200, CodeJson(*code));
}

AdminResponse PatchCode(const Call& call) {
  AdminResponse error;
  std::optional<Json> body = ReadJsonObject(call.request, &error);
  if (!body) return error;
  std::optional<store::AuthCode> code = PathCode(call, &error);
  if (!code) return error;
  if (body->contains("code") || body->contains("name")) {
    return Invalid("name and code cannot be changed: create a new code");
  }
  if (Problem p = ReadCode(*body, *code)) return Invalid(*p);
  if (auto problem = CheckCodeList(call, *code)) return *problem;
  Result<store::Change> change = call.catalog().UpdateCode(*code);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kNotFound) return NotFound("code");
  return JsonAnswer(200, CodeJson(*code));
}

AdminResponse DeleteCode(const Call& call) {
  Result<store::Change> change =
      call.catalog().DeleteCode(call.client_id, call.path.find("code")->second);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kNotFound) return NotFound("code");
  return NoContent();
}

AdminResponse ListBlocklist(const Call& call) {
  AdminResponse error;
  std::optional<store::PageRequest> page = ReadPage(call.query, &error);
  if (!page) return error;
  Result<std::vector<store::BlockEntry>> entries =
      call.catalog().ListBlocklist(call.client_id, *page);
  if (!entries.ok()) return StoreFailure(entries.status());
  Json items = Json::array();
  std::optional<std::string> last;
  for (const auto& e : *entries) {
    items.push_back({{"pattern", e.pattern}, {"reason", e.reason}});
    last = e.pattern;
  }
  return PageAnswer(std::move(items), page->limit, last);
}

AdminResponse AddBlockEntry(const Call& call) {
  AdminResponse error;
  std::optional<Json> body = ReadJsonObject(call.request, &error);
  if (!body) return error;
  auto pattern = body->find("pattern");
  auto reason = body->find("reason");
  if (pattern == body->end() || !pattern->is_string()) return Invalid("pattern: required string");
  if (reason != body->end() && !reason->is_string()) return Invalid("reason: expected a string");
  Result<std::string> parsed = ParseBlockPattern(pattern->get<std::string>());
  if (!parsed.ok()) return Invalid("pattern: " + parsed.status().message());
  store::BlockEntry entry{std::move(*parsed),
                          reason == body->end() ? "" : reason->get<std::string>()};
  Result<store::Change> change = call.catalog().UpsertBlockEntry(call.client_id, entry);
  if (!change.ok()) return StoreFailure(change.status());
  return JsonAnswer(201, Json{{"pattern", entry.pattern}, {"reason", entry.reason}});
}

AdminResponse DeleteBlockEntry(const Call& call) {
  // As stored: normalised like an added one; a pattern the rules refuse
  // today may still be stored from before them, lower-cased.
  const std::string& text = call.path.find("pattern")->second;
  Result<std::string> parsed = ParseBlockPattern(text, /*for_removal=*/true);
  const std::string pattern = parsed.ok() ? *parsed : Lower(text);
  Result<store::Change> change = call.catalog().DeleteBlockEntry(call.client_id, pattern);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kNotFound) return NotFound("blocklist entry " + pattern);
  return NoContent();
}

AdminResponse ListDkimKeys(const Call& call) {
  // One page always (a client has a handful of keys); limit is still checked.
  AdminResponse error;
  if (!ReadPage(call.query, &error)) return error;
  Result<std::vector<store::DkimKey>> keys =
      call.context.engine.directory().FindDkimKeys(call.client_id);
  if (!keys.ok()) return StoreFailure(keys.status());
  Json items = Json::array();
  for (const auto& k : *keys) {
    items.push_back({{"domain", k.domain}, {"selector", k.selector}, {"algorithm", k.algorithm}});
  }
  return JsonAnswer(200, Json{{"items", items}, {"next_cursor", nullptr}});
}

AdminResponse AddDkimKey(const Call& call) {
  AdminResponse error;
  std::optional<Json> body = ReadJsonObject(call.request, &error);
  if (!body) return error;
  store::DkimKey key;
  for (auto [name, out] : {std::pair{"domain", &key.domain}, std::pair{"selector", &key.selector},
                           std::pair{"private_key_pem", &key.private_key_pem}}) {
    auto it = body->find(name);
    if (it == body->end() || !it->is_string()) return Invalid(std::string(name) + ": required string");
    *out = it->get<std::string>();
  }
  if (auto it = body->find("algorithm"); it != body->end()) {  // default: from the key
    if (!it->is_string()) return Invalid("algorithm: expected rsa-sha256 or ed25519-sha256");
    key.algorithm = it->get<std::string>();
    if (key.algorithm != "rsa-sha256" && key.algorithm != "ed25519-sha256") {
      return Invalid("algorithm: expected rsa-sha256 or ed25519-sha256");
    }
  }
  key.domain = Lower(key.domain);
  if (auto p = HostProblem(key.domain)) return Invalid("domain: " + *p);
  if (key.selector.empty()) return Invalid("selector: must not be empty");
  Result<render::DkimSigner> signer =
      render::DkimSigner::Load(key.domain, key.selector, key.algorithm, key.private_key_pem);
  if (!signer.ok()) return Invalid("private_key_pem: " + signer.status().message());
  key.algorithm = signer->algorithm();
  Result<store::Change> change = call.catalog().UpsertDkimKey(call.client_id, key);
  if (!change.ok()) return StoreFailure(change.status());
  return JsonAnswer(201, Json{{"domain", key.domain}, {"selector", key.selector},
                              {"algorithm", key.algorithm}});
}

AdminResponse DeleteDkimKey(const Call& call) {
  Result<store::Change> change = call.catalog().DeleteDkimKey(
      call.client_id, Lower(call.path.find("domain")->second), call.path.find("selector")->second);
  if (!change.ok()) return StoreFailure(change.status());
  if (*change == store::Change::kNotFound) return NotFound("DKIM key");
  return NoContent();
}

}  // namespace campaignd::admin::api
