// Router basics: unknown routes and methods, the error shape, malformed
// bodies, pagination with cursors, Bearer parsing, in-process operators;
// unknown query parameters, body limits per route and JSON nesting depth.
#include "admin/api/answer.h"
#include "admin/api/api_testutil.h"
#include "core/limits.h"

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

TEST_F(RouterTest, ClientBounceSettingsAreCheckedOnceAndKept) {
  TestReply set = Admin("PATCH", "/admin/v1/clients/1",
                        {{"bounce_domain", "Bounce.Shop.Example"}, {"bounce_local", "Returns"}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.json["bounce_domain"], "bounce.shop.example");
  EXPECT_EQ(set.json["bounce_local"], "returns");
  EXPECT_EQ(set.json["complaint_address"], "");
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1").json["bounce_domain"], "bounce.shop.example");
  TestReply bad = Admin("PATCH", "/admin/v1/clients/1", {{"bounce_domain", "localhost"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.json["error"]["message"], "bounce_domain: bounce domain needs a dot");
  EXPECT_EQ(Admin("PATCH", "/admin/v1/clients/1", {{"bounce_local", "a+b"}}).status, 422);
  EXPECT_EQ(Admin("PATCH", "/admin/v1/clients/1", {{"bounce_local", std::string(40, 'a')}}).status,
            422);
  EXPECT_EQ(Admin("PATCH", "/admin/v1/clients/1", {{"complaint_address", "not an address"}}).status,
            422);
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1").json["bounce_local"], "returns") << "unchanged";
  TestReply none = Admin("PATCH", "/admin/v1/clients/1",
                         {{"bounce_domain", ""}, {"complaint_address", "FBL@Shop.Example"}});
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(none.json["bounce_domain"], "");
  EXPECT_EQ(none.json["complaint_address"], "fbl@shop.example");
}

TEST_F(RouterTest, OnlyTheOperatorSetsBounceSettings) {
  // A client key would otherwise make the inbound listener take mail for
  // the operator's domain, or sign its envelope sender with another's.
  ASSERT_EQ(
      Admin("PATCH", "/admin/v1/clients/1", {{"bounce_domain", "bounce.shop.example"}}).status,
      200);
  const TestReply before = Admin("GET", "/admin/v1/clients/1");
  for (const auto& [member, value] : std::vector<std::pair<std::string, nlohmann::json>>{
           {"bounce_domain", "bounce.operator.example"},
           {"bounce_domain", ""},
           {"bounce_local", "postmaster"},
           {"complaint_address", "postmaster@operator.example"},
           {"complaint_address", nullptr}}) {
    TestReply refused = As1("PATCH", "/admin/v1/clients/1", {{"name", "x"}, {member, value}});
    EXPECT_EQ(refused.status, 403) << member << " " << refused.body;
    EXPECT_EQ(refused.code(), "forbidden");
    EXPECT_EQ(refused.json["error"]["message"],
              member + ": only the operator (admin key) may change it");
  }
  EXPECT_EQ(Admin("GET", "/admin/v1/clients/1").json, before.json) << "nothing changed";
  EXPECT_EQ(before.json["bounce_domain"], "bounce.shop.example");
  // Sending back what is stored (any case) is no change.
  EXPECT_EQ(As1("PATCH", "/admin/v1/clients/1",
                {{"name", "Shop"}, {"bounce_domain", "Bounce.Shop.Example"}})
                .status,
            200);
  // The admin key may; another client's domain or complaint address is 422.
  ASSERT_EQ(
      Admin("PATCH", "/admin/v1/clients/1", {{"complaint_address", "fbl@shop.example"}}).status,
      200);
  TestReply taken =
      Admin("PATCH", "/admin/v1/clients/2", {{"bounce_domain", "BOUNCE.shop.example"}});
  EXPECT_EQ(taken.status, 422) << taken.body;
  EXPECT_EQ(taken.json["error"]["message"],
            "bounce_domain: 'bounce.shop.example' is already used by client 1");
  TestReply fbl =
      Admin("PATCH", "/admin/v1/clients/2", {{"complaint_address", "FBL@shop.example"}});
  EXPECT_EQ(fbl.status, 422);
  EXPECT_EQ(fbl.json["error"]["message"],
            "complaint_address: 'fbl@shop.example' is already used by client 1");
  TestReply created = Admin("POST", "/admin/v1/clients",
                            {{"name", "third"}, {"bounce_domain", "bounce.shop.example"}});
  EXPECT_EQ(created.status, 422);
  EXPECT_EQ(Admin("GET", "/admin/v1/clients/2").json["bounce_domain"], "");
  EXPECT_EQ(Admin("PATCH", "/admin/v1/clients/2", {{"bounce_domain", "bounce.two.example"}}).status,
            200);
  // Its own settings again are no conflict.
  EXPECT_EQ(
      Admin("PATCH", "/admin/v1/clients/1", {{"bounce_domain", "bounce.shop.example"}}).status,
      200);
}

TEST_F(RouterTest, UnknownQueryParametersAre400NamingThem) {
  TestReply typo = As1("GET", "/admin/v1/clients/1/mails?recipent=a@example.com&limit=5");
  EXPECT_EQ(typo.status, 400);
  EXPECT_EQ(typo.code(), "bad_request");
  EXPECT_EQ(typo.json["error"]["message"],
            "unknown query parameter 'recipent'; this route takes limit cursor recipient mailing "
            "status since until");
  TestReply two = As1("GET", "/admin/v1/clients/1/lists?sort=name&offset=3");
  EXPECT_EQ(two.json["error"]["message"],
            "unknown query parameters 'offset', 'sort'; this route takes limit cursor");
  TestReply none = As1("GET", "/admin/v1/clients/1?verbose=1");
  EXPECT_EQ(none.status, 400);
  EXPECT_EQ(none.json["error"]["message"],
            "unknown query parameter 'verbose'; this route takes none");
  // Every parameter a route documents is taken.
  EXPECT_EQ(As1("GET",
                "/admin/v1/clients/1/mails?recipient=a@example.com&mailing=1&status=sent"
                "&since=2024-01-01&until=2030-01-01&limit=5")
                .status,
            200);
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1/dkim-keys?limit=5&cursor=").status, 200);
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1/dkim-keys?limit=0").status, 400);
}

TEST(JsonDepthTest, CountsBracketsOutsideStrings) {
  EXPECT_FALSE(JsonNestsDeeperThan(R"({"a":[{"b":{}}]})", 4));
  EXPECT_TRUE(JsonNestsDeeperThan(R"({"a":[{"b":{"c":[]}}]})", 4));
  EXPECT_FALSE(JsonNestsDeeperThan(R"({"a":"[[[[[[[[[[{{{{{{"})", 1));
  EXPECT_FALSE(JsonNestsDeeperThan(R"({"a":"\"[[[[[[[[[["})", 1));
  EXPECT_FALSE(JsonNestsDeeperThan(R"([]]]]]][][][][])", 1));
  EXPECT_TRUE(JsonNestsDeeperThan(std::string(10 * 1000 * 1000, '['), limits::kMaxJsonDepth));
  std::string deep_but_closed;
  for (int i = 0; i < limits::kMaxJsonDepth; ++i) deep_but_closed += '[';
  deep_but_closed += std::string(limits::kMaxJsonDepth, ']');
  EXPECT_FALSE(JsonNestsDeeperThan(deep_but_closed, limits::kMaxJsonDepth));
  EXPECT_TRUE(JsonNestsDeeperThan("[" + deep_but_closed + "]", limits::kMaxJsonDepth));
}

TEST_F(RouterTest, DeepJsonIs400AndBodiesOverTheRouteLimitAre413InProcessToo) {
  TestReply deep = Raw("POST", "/admin/v1/clients/1/lists", key1_,
                       std::string(100000, '[') + std::string(100000, ']'), "application/json");
  EXPECT_EQ(deep.status, 400);
  EXPECT_EQ(deep.json["error"]["message"],
            "the body nests arrays and objects deeper than 16 levels");
  std::string big = R"({"name":")" + std::string(limits::kMaxAdminBodyBytes, 'x') + R"("})";
  TestReply large = Raw("POST", "/admin/v1/clients/1/lists", key1_, big, "application/json");
  EXPECT_EQ(large.status, 413);
  EXPECT_EQ(large.json["error"]["message"],
            "the body is larger than the 1048576 bytes this route accepts");
  // The bulk upsert takes more; a streamed body is read within its limit.
  std::string bulk = R"({"items":[)";
  for (int i = 0; i < 10000; ++i) {
    bulk += (i ? "," : "") + std::string(R"({"recipient_id":"r)") + std::to_string(i) +
            R"(@example.com","fields":{"firstname":")" + std::string(100, 'n') + R"("}})";
  }
  bulk += "]}";
  ASSERT_GT(bulk.size(), limits::kMaxAdminBodyBytes);
  TestReply stored =
      Raw("POST", "/admin/v1/clients/1/lists/10/recipients/bulk", key1_, bulk, "application/json");
  EXPECT_EQ(stored.status, 200) << stored.body.substr(0, 300);
  AdminRequest streamed{.method = "POST",
                        .target = "/admin/v1/clients/1/lists/10/recipients/bulk",
                        .authorization = "Bearer " + key1_};
  streamed.content_type = "application/json";
  std::size_t pulls = 0;
  streamed.body_reader = [&pulls]() -> Result<std::string> {
    return ++pulls > 17 ? std::string() : std::string(1024 * 1024, ' ');
  };
  AdminResponse over = HandleAdmin(streamed, *context_);
  EXPECT_EQ(over.status, 413) << over.body;
  EXPECT_EQ(pulls, 17u);  // stopped at the limit, not at the end of the body
}

// A streamed upload holds a handler thread while its client sends: a client
// key gets limits::kMaxAdminUploadsPerClient at once, the admin key any.
TEST_F(RouterTest, StreamedUploadsAreBoundedPerClientKey) {
  UploadSlots uploads;
  context_->uploads = &uploads;
  AdminRequest import{.method = "POST",
                      .target = "/admin/v1/clients/1/lists/10/recipients/import",
                      .authorization = "Bearer " + key1_};
  import.content_type = "text/csv";
  bool sent = false;
  import.body_reader = [&sent]()->Result<std::string> { if (sent) return std::string();
  sent = true;
  return std::string("email\nslot@example.com\n");
};
for (int i = 0; i < limits::kMaxAdminUploadsPerClient; ++i) ASSERT_TRUE(uploads.TryAcquire(1));
AdminResponse refused = HandleAdmin(import, *context_);
EXPECT_EQ(refused.status, 429);
EXPECT_NE(refused.body.find("too_many_requests"), std::string::npos) << refused.body;
EXPECT_FALSE(sent);
EXPECT_TRUE(uploads.TryAcquire(2));  // other clients are not affected
import.authorization = "Bearer " + std::string(kAdminKey);
EXPECT_EQ(HandleAdmin(import, *context_).status, 200);
uploads.Release(1);
import.authorization = "Bearer " + key1_;
sent = false;
EXPECT_EQ(HandleAdmin(import, *context_).status, 200);
EXPECT_TRUE(uploads.TryAcquire(1));  // the slot was given back
EXPECT_FALSE(uploads.TryAcquire(1));
context_->uploads = nullptr;
}  // namespace

}  // namespace
}  // namespace campaignd::admin::api
