// For every route: no key or an unknown key is 401, a client key on an
// admin-only route or on another client's path is 403, and client 2's data
// is the same afterwards; the key of client 1 is accepted on its own paths.
#include <regex>
#include <cstring>

#include "admin/api/api_testutil.h"

namespace campaignd::admin::api {
namespace {

// A route's path with every {param} replaced for client `client`.
std::string Fill(std::string_view path, int64_t client) {
  const std::pair<const char*, std::string> values[] = {
      {"{client}", std::to_string(client)}, {"{list}", "10"}, {"{mailing}", "100"},
      {"{code}", "main"}, {"{recipient}", "a@example.com"}, {"{pattern}", "blocked@example.com"},
      {"{key}", "1"}, {"{field}", "firstname"}, {"{domain}", "example.com"},
      {"{selector}", "s1"}, {"{mail}", "1"}, {"{optin}", "1"}, {"{webhook}", "1"},
      {"{address}", "a@example.com"}};
  std::string out(path);
  for (const auto& [name, value] : values) {
    for (auto at = out.find(name); at != std::string::npos; at = out.find(name)) {
      out.replace(at, std::strlen(name), value);
    }
  }
  return out;
}

// A body that would change something if it were accepted.
nlohmann::json BodyFor(const RouteInfo& route) {
  if (route.method == "GET" || route.method == "DELETE") return nullptr;
  return {{"name", "taken over"},
          {"status", "CANCELED"},
          {"transport", "smtp://relay.example"},
          {"recipient_id", "a@example.com"},
          {"list_id", 10},
          {"pattern", "x@y.example"},
          {"items", nlohmann::json::array()}};
}

class AuthorizationTest : public AdminApiTest {
 protected:
  // Each client also has the single opt-in process 1.
  void SetUp() override {
    AdminApiTest::SetUp();
    // The relay of BodyFor is one a client key may choose (relay_policy_test.cc
    // covers the ones it may not), so only the key's client decides here.
    context_->client_relay_hosts = {"relay.example"};
    for (const char* client : {"1", "2"}) {
      TestReply created = Admin("POST", std::string("/admin/v1/clients/") + client + "/optins",
                                {{"name", "checkout"}, {"kind", "single"}});
      ASSERT_EQ(created.status, 201) << created.body;
    }
  }

  // Everything the admin key can read about client 2.
  std::string Snapshot() {
    std::string all;
    for (const char* path :
         {"", "/lists", "/lists/10", "/lists/10/recipients", "/mailings", "/mailings/100",
          "/codes", "/blocklist", "/relay", "/dkim-keys", "/keys", "/mails", "/optins",
          "/optins/1", "/webhooks", "/events", "/stats", "/mailings/100/stats",
          "/bounces/a@example.com"}) {
      TestReply reply = Admin("GET", std::string("/admin/v1/clients/2") + path);
      EXPECT_EQ(reply.status, 200) << path << " " << reply.body;
      all += reply.body + "\n";
    }
    return all;
  }
};

TEST_F(AuthorizationTest, EveryRouteRefusesMissingUnknownAndForeignKeys) {
  const std::string before = Snapshot();
  std::size_t checked = 0, optin_routes = 0;
  for (const RouteInfo& route : AdminRoutes()) {
    const std::string target = Fill(route.path, 2);
    const bool open = route.path.starts_with("/openapi");
    SCOPED_TRACE(std::string(route.method) + " " + target);
    TestReply none = Do(route.method, target, "", BodyFor(route));
    TestReply wrong = Do(route.method, target, "not-a-key-of-anyone", BodyFor(route));
    if (open) {
      EXPECT_EQ(none.status, 200);
      continue;
    }
    EXPECT_EQ(none.status, 401);
    EXPECT_EQ(none.code(), "unauthorized");
    EXPECT_EQ(wrong.status, 401);
    TestReply foreign = Do(route.method, target, key1_, BodyFor(route));
    if (route.path == "/admin/v1/clients" && route.method == "GET") {
      ASSERT_EQ(foreign.status, 200);
      ASSERT_EQ(foreign.json["items"].size(), 1u);
      EXPECT_EQ(foreign.json["items"][0]["id"], 1);
    } else {
      EXPECT_EQ(foreign.status, 403) << foreign.body;
      EXPECT_EQ(foreign.code(), "forbidden");
    }
    ++checked;
    if (route.path.find("/optins") != std::string_view::npos) ++optin_routes;
  }
  EXPECT_EQ(checked, AdminRoutes().size() - 2);
  EXPECT_EQ(optin_routes, 5u);
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(AuthorizationTest, OwnKeyIsAcceptedOnEveryNonAdminRouteOfItsClient) {
  for (const RouteInfo& route : AdminRoutes()) {
    if (route.admin_only || route.path.starts_with("/openapi")) continue;
    const std::string target = Fill(route.path, 1);
    SCOPED_TRACE(std::string(route.method) + " " + target);
    TestReply own = Do(route.method, target, key1_, BodyFor(route));
    EXPECT_NE(own.status, 401) << own.body;
    EXPECT_NE(own.status, 403) << own.body;
    EXPECT_NE(own.status, 405) << own.body;
  }
}

TEST_F(AuthorizationTest, AdminOnlyRoutesNeedTheAdminKey) {
  EXPECT_EQ(As1("POST", "/admin/v1/clients", {{"name", "x"}}).status, 403);
  EXPECT_EQ(As1("POST", "/admin/v1/clients/1/keys", {{"name", "x"}}).status, 403);
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1/keys").status, 403);
  EXPECT_EQ(Admin("POST", "/admin/v1/clients", {{"name", "x"}}).status, 201);
}

TEST_F(AuthorizationTest, RevokedKeyIsUnauthorized) {
  TestReply keys = Admin("GET", "/admin/v1/clients/1/keys");
  ASSERT_EQ(keys.status, 200);
  ASSERT_EQ(keys.json["items"].size(), 1u);
  EXPECT_FALSE(keys.json["items"][0].contains("key"));
  const std::string id = std::to_string(keys.json["items"][0]["id"].get<int>());
  EXPECT_EQ(Admin("DELETE", "/admin/v1/clients/1/keys/" + id).status, 204);
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1").status, 401);
}

TEST_F(AuthorizationTest, WithoutAnAdminKeyConfiguredNoBearerIsAdmin) {
  context_->admin_key_hash.clear();
  EXPECT_EQ(Admin("GET", "/admin/v1/clients").status, 401);
  EXPECT_EQ(Do("GET", "/admin/v1/clients", "").status, 401);
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1").status, 200);
}

}  // namespace
}  // namespace campaignd::admin::api
