#include "admin/api/api_testutil.h"

#include "auth/code_hash.h"
#include "store/store_testutil.h"

namespace campaignd::admin::api {

std::string TestReply::code() const {
  if (!json.is_object() || !json.contains("error")) return "";
  return json["error"].value("code", "");
}

void AdminApiTest::SetUp() {
  Status applied =
      store_.provisioner().Apply({store::SampleClient(1), store::SampleClient(2)});
  ASSERT_TRUE(applied.ok()) << applied.ToString();
  catalog_ = std::make_unique<store::Catalog>(store_.engine().runner());
  context_ = std::make_unique<AdminContext>(AdminContext{store_.engine(), *catalog_, clock_,
                                                         auth::HashCode(kAdminKey),
                                                         "https://mail.example"});
  TestReply one = Admin("POST", "/admin/v1/clients/1/keys", {{"name", "one"}});
  TestReply two = Admin("POST", "/admin/v1/clients/2/keys", {{"name", "two"}});
  ASSERT_EQ(one.status, 201) << one.body;
  ASSERT_EQ(two.status, 201) << two.body;
  key1_ = one.json["key"];
  key2_ = two.json["key"];
}

void AdminApiTest::TearDown() {
  context_.reset();
  catalog_.reset();
}

TestReply AdminApiTest::Raw(std::string_view method, std::string_view target,
                            std::string_view key, std::string body, std::string content_type) {
  AdminRequest request;
  request.method = std::string(method);
  request.target = std::string(target);
  if (!key.empty()) request.authorization = "Bearer " + std::string(key);
  request.body = std::move(body);
  request.content_type = std::move(content_type);
  AdminResponse response = HandleAdmin(request, *context_);
  TestReply reply{response.status, nullptr, std::move(response.body), response.content_type};
  if (response.stream) {
    Status streamed = response.stream([&](std::string_view chunk) {
      reply.body += chunk;
      return Status::Ok();
    });
    EXPECT_TRUE(streamed.ok()) << streamed.ToString();
  }
  reply.json = nlohmann::json::parse(reply.body, nullptr, false);
  if (reply.json.is_discarded()) reply.json = nullptr;
  return reply;
}

TestReply AdminApiTest::Do(std::string_view method, std::string_view target, std::string_view key,
                           const nlohmann::json& body) {
  return Raw(method, target, key, body.is_null() ? "" : body.dump(),
             body.is_null() ? "" : "application/json");
}

}  // namespace campaignd::admin::api
