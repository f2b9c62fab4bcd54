// Test-only: AdminApiTest - HandleAdmin on a real store (testing::TempStore:
// SQLite, or PostgreSQL in the pg.* registration) holding
// store::SampleClient(1) and SampleClient(2), with the admin key kAdminKey
// and one API key per client (key1_, key2_), and Do() to call a route.
#ifndef CAMPAIGND_ADMIN_API_API_TESTUTIL_H_
#define CAMPAIGND_ADMIN_API_API_TESTUTIL_H_

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "admin/api/router.h"
#include "testing/fake_clock.h"
#include "testing/temp_store.h"

namespace campaignd::admin::api {

inline constexpr std::string_view kAdminKey = "admin-key-for-the-tests-0123456789";

struct TestReply {
  int status = 0;
  nlohmann::json json;  // the body parsed, null when it is not JSON
  std::string body;
  std::string content_type;
  // The error code of an error answer, "" otherwise.
  std::string code() const;
};

class AdminApiTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Calls `method target` with `key` as Bearer (empty: no header) and a
  // JSON body (null: none).
  TestReply Do(std::string_view method, std::string_view target, std::string_view key,
               const nlohmann::json& body = nullptr);
  // The same with a raw body and content type.
  TestReply Raw(std::string_view method, std::string_view target, std::string_view key,
                std::string body, std::string content_type);
  TestReply Admin(std::string_view method, std::string_view target,
                  const nlohmann::json& body = nullptr) {
    return Do(method, target, kAdminKey, body);
  }
  TestReply As1(std::string_view method, std::string_view target,
                const nlohmann::json& body = nullptr) {
    return Do(method, target, key1_, body);
  }

  testing::TempStore store_;
  testing::FakeClock clock_;
  std::unique_ptr<store::Catalog> catalog_;
  std::unique_ptr<AdminContext> context_;
  std::string key1_, key2_;
};

}  // namespace campaignd::admin::api

#endif  // CAMPAIGND_ADMIN_API_API_TESTUTIL_H_
