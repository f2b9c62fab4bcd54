// Router basics: unknown routes and methods, the error shape, malformed
// bodies, pagination with cursors, Bearer parsing, in-process operators.
#include "admin/api/api_test_env.h"

namespace campaignd::admin::api {
namespace {

class RouterTest : public AdminApiTest {};

TEST_F(RouterTest, UnknownRouteIs404AndWrongMethod405) {
  TestReply unknown = Admin("GET", "/admin/v1/nothing");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.code(), "not_found");
  EXPECT_TRUE(unknown.json["error"]["message"].is_string());
  EXPECT_EQ(Admin("PUT", "/admin/v1/clients").status, 405);
  EXPECT_EQ(Admin("GET", "/http/form/x/sendeventmail").status, 404);
}

TEST_F(RouterTest, MissingClientIs404AndBadIdsAre404) {
  EXPECT_EQ(Admin("GET", "/admin/v1/clients/9").code(), "not_found");
  EXPECT_EQ(Admin("GET", "/admin/v1/clients/abc").status, 404);
  EXPECT_EQ(Admin("GET", "/admin/v1/clients/1/lists/-3").status, 404);
  EXPECT_EQ(Admin("GET", "/admin/v1/clients/1/lists/99").status, 404);
}

TEST_F(RouterTest, MalformedBodiesAre400And415) {
  TestReply broken = Raw("POST", "/admin/v1/clients/1/lists", key1_, "{not json", "application/json");
  EXPECT_EQ(broken.status, 400);
  EXPECT_EQ(broken.code(), "bad_request");
  EXPECT_EQ(Raw("POST", "/admin/v1/clients/1/lists", key1_, "[1]", "application/json").status, 400);
  EXPECT_EQ(Raw("POST", "/admin/v1/clients/1/lists", key1_, "{}", "text/plain").status, 415);
}

TEST_F(RouterTest, BearerIsCaseInsensitiveAndNeedsAKey) {
  AdminRequest request{.method = "GET", .target = "/admin/v1/clients/1",
                       .authorization = "bearer " + key1_};
  EXPECT_EQ(HandleAdmin(request, *context_).status, 200);
  request.authorization = "Bearer ";
  EXPECT_EQ(HandleAdmin(request, *context_).status, 401);
  request.authorization = "Basic " + key1_;
  EXPECT_EQ(HandleAdmin(request, *context_).status, 401);
}

TEST_F(RouterTest, InProcessOperatorNeedsNoKey) {
  AdminRequest request{.method = "POST", .target = "/admin/v1/clients"};
  request.as = Principal{.admin = true};
  request.body = R"({"name":"cli client"})";
  AdminResponse response = HandleAdmin(request, *context_);
  EXPECT_EQ(response.status, 201) << response.body;
}

TEST_F(RouterTest, CursorPagesThroughEverything) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(As1("POST", "/admin/v1/clients/1/lists", {{"name", "l" + std::to_string(i)}}).status,
              201);
  }
  std::vector<int> ids;
  std::string cursor;
  for (int round = 0; round < 10; ++round) {
    TestReply page = As1("GET", "/admin/v1/clients/1/lists?limit=3" +
                                    (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(page.status, 200);
    for (const auto& item : page.json["items"]) ids.push_back(item["id"]);
    if (page.json["next_cursor"].is_null()) break;
    cursor = page.json["next_cursor"];
  }
  EXPECT_EQ(ids, (std::vector<int>{10, 11, 12, 13, 14, 15, 16}));
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1/lists?limit=0").status, 400);
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1/lists?limit=1001").status, 400);
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1/lists?cursor=zz").status, 422);
}

TEST_F(RouterTest, ClientsAreCreatedAndPatchedWithValidation) {
  TestReply created = Admin("POST", "/admin/v1/clients",
                            {{"name", "Shop"}, {"transport", "smtp://u:secret@relay.example:25"}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json["id"], 3);
  EXPECT_EQ(created.body.find("secret"), std::string::npos);
  EXPECT_EQ(Admin("POST", "/admin/v1/clients", {{"id", 3}, {"name", "again"}}).status, 409);
  EXPECT_EQ(Admin("POST", "/admin/v1/clients", {{"name", ""}}).status, 422);
  EXPECT_EQ(Admin("POST", "/admin/v1/clients", {{"name", "x"}, {"transport", "ftp://x"}}).status,
            422);
  EXPECT_EQ(Admin("POST", "/admin/v1/clients", {{"name", "x"}, {"bounce_limit", 0}}).status, 422);
  TestReply patched = As1("PATCH", "/admin/v1/clients/1", {{"rate_limit", 5}});
  EXPECT_EQ(patched.status, 200);
  EXPECT_EQ(patched.json["rate_limit"], 5);
  EXPECT_EQ(As1("PATCH", "/admin/v1/clients/1", {{"id", 7}}).status, 422);
  context_->client_relay_hosts = {"relay.example"};  // relay_policy_test.cc: the rules
  TestReply relay = As1("PUT", "/admin/v1/clients/1/relay",
                        {{"transport", "smtps://user:pw@relay.example:465"}});
  EXPECT_EQ(relay.status, 200);
  EXPECT_EQ(relay.body.find("pw@"), std::string::npos);
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1/relay").json["transport"],
            relay.json["transport"]);
  EXPECT_EQ(As1("PUT", "/admin/v1/clients/1/relay", {{"transport", ""}}).status, 422);
}

}  // namespace
}  // namespace campaignd::admin::api
