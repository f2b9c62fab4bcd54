// docs/admin-api.yaml against the live routes: every documented operation
// is a route that answers (not 404/405), every route is documented with
// the query parameters it takes, and the server serves the file as kept in
// the repository.
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "admin/api/api_testutil.h"

namespace campaignd::admin::api {
namespace {

// "GET /path" for every operation under `paths:` of the YAML document:
// paths are the 2-space-indented keys, methods the 4-space-indented ones.
std::set<std::string> DocumentedOperations(const std::string& yaml) {
  std::set<std::string> operations;
  std::istringstream in(yaml);
  std::string line, path;
  bool in_paths = false;
  const std::regex path_line(R"(^  (/[^:]*):\s*$)");
  const std::regex method_line(R"(^    (get|post|put|patch|delete):)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (line == "paths:") {
      in_paths = true;
    } else if (!line.empty() && line[0] != ' ') {
      in_paths = false;
    } else if (in_paths && std::regex_match(line, m, path_line)) {
      path = m[1];
    } else if (in_paths && std::regex_search(line, m, method_line)) {
      std::string method = m[1];
      for (char& c : method) c = static_cast<char>(std::toupper(c));
      operations.insert(method + " " + path);
    }
  }
  return operations;
}

// "GET /path" -> its query parameters, sorted and blank-separated: the
// names of `in: query` parameters and the shared limit/cursor references
// in the lines of each operation.
std::map<std::string, std::string> DocumentedQueries(const std::string& yaml) {
  std::map<std::string, std::set<std::string>> names;
  std::istringstream in(yaml);
  std::string line, path, op;
  const std::regex path_line(R"(^  (/[^:]*):\s*$)");
  const std::regex method_line(R"(^    (get|post|put|patch|delete):)");
  const std::regex query_param(R"(name: ([a-z_]+), in: query)");
  const std::regex shared_param(R"(#/components/parameters/(limit|cursor))");
  std::smatch m;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != ' ') op.clear();
    if (std::regex_match(line, m, path_line)) {
      path = m[1];
      op.clear();
    } else if (std::regex_search(line, m, method_line)) {
      std::string method = m[1];
      for (char& c : method) c = static_cast<char>(std::toupper(c));
      op = method + " " + path;
      names[op];
    } else if (!op.empty() && line.starts_with("    ") && line[4] != ' ') {
      op.clear();  // a path-level key after the operations
    } else if (!op.empty()) {
      for (auto it = std::sregex_iterator(line.begin(), line.end(), query_param);
           it != std::sregex_iterator(); ++it) {
        names[op].insert((*it)[1]);
      }
      for (auto it = std::sregex_iterator(line.begin(), line.end(), shared_param);
           it != std::sregex_iterator(); ++it) {
        names[op].insert((*it)[1]);
      }
    }
  }
  std::map<std::string, std::string> out;
  for (const auto& [name, set] : names) {
    std::string joined;
    for (const auto& n : set) joined += (joined.empty() ? "" : " ") + n;
    out[name] = joined;
  }
  return out;
}

std::string ReadFile(const char* path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class OpenApiTest : public AdminApiTest {};

TEST_F(OpenApiTest, EveryRouteIsDocumentedAndEveryDocumentedRouteExists) {
  const std::set<std::string> documented = DocumentedOperations(ReadFile(CAMPAIGND_OPENAPI_FILE));
  ASSERT_GT(documented.size(), 40u);
  std::set<std::string> live;
  for (const RouteInfo& route : AdminRoutes()) {
    if (route.path == "/openapi.json") continue;  // an alias of /openapi.yaml
    live.insert(std::string(route.method) + " " + std::string(route.path));
  }
  for (const auto& op : documented) EXPECT_TRUE(live.contains(op)) << op << " is not a route";
  for (const auto& op : live) EXPECT_TRUE(documented.contains(op)) << op << " is not documented";
}

TEST_F(OpenApiTest, EveryRouteTakesTheQueryParametersItDocuments) {
  const auto documented = DocumentedQueries(ReadFile(CAMPAIGND_OPENAPI_FILE));
  for (const RouteInfo& route : AdminRoutes()) {
    if (route.path == "/openapi.json") continue;
    const std::string op = std::string(route.method) + " " + std::string(route.path);
    std::set<std::string> takes;
    std::istringstream words{std::string(route.query)};
    for (std::string word; words >> word;) takes.insert(word);
    std::string joined;
    for (const auto& n : takes) joined += (joined.empty() ? "" : " ") + n;
    ASSERT_TRUE(documented.contains(op)) << op;
    EXPECT_EQ(documented.at(op), joined) << op;
  }
}

TEST_F(OpenApiTest, EveryDocumentedOperationAnswersOnTheAdminKey) {
  const std::set<std::string> documented = DocumentedOperations(ReadFile(CAMPAIGND_OPENAPI_FILE));
  const std::regex param(R"(\{[a-z]+\})");
  for (const auto& op : documented) {
    const auto space = op.find(' ');
    const std::string target = std::regex_replace(op.substr(space + 1), param, "1");
    TestReply reply = Admin(op.substr(0, space), target);
    EXPECT_NE(reply.status, 405) << op;
    EXPECT_NE(reply.status, 401) << op;
    EXPECT_NE(reply.status, 500) << op << " " << reply.body;
    if (reply.status == 404) EXPECT_NE(reply.json["error"]["message"], "no such route") << op;
  }
}

TEST_F(OpenApiTest, TheServedDocumentIsTheRepositoryFile) {
  TestReply reply = Do("GET", "/openapi.yaml", "");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.content_type, "application/yaml");
  EXPECT_EQ(reply.body, ReadFile(CAMPAIGND_OPENAPI_FILE));
  EXPECT_EQ(Do("GET", "/openapi.json", "").body, reply.body);
}

}  // namespace
}  // namespace campaignd::admin::api
