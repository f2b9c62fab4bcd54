// Test support for the provisioning file tests: a throwaway DKIM key, the
// common file header, a "database" of plain maps behind ExistingRecords, and
// the fixture that parses text in a temp directory. Test-only.
#ifndef CAMPAIGND_ADMIN_ADMIN_TESTUTIL_H_
#define CAMPAIGND_ADMIN_ADMIN_TESTUTIL_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "admin/provisioning_file.h"

namespace campaignd::admin {

// A throwaway Ed25519 key for these tests only.
inline constexpr char kTestKeyPem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIMcikpSD6j7z2+xj72UwP10bt+2PU+++V60snbRHAjU9\n"
    "-----END PRIVATE KEY-----\n";

// Lines 1-8 of every file below: client 1 with list 100.
inline constexpr char kHeader[] = R"([[client]]
id = 1
name = "Shoe Store"
transport = "file:outbox"
  [[client.list]]
  id = 100
  name = "Customers"
  fields = [ { name = "firstname", type = "text" }, { name = "Orders", type = "int" } ]
)";

// What the "database" holds in these tests: plain maps behind the callbacks.
struct Database {
  std::map<std::pair<int64_t, int64_t>, store::RecipientList> lists;
  std::map<int64_t, std::vector<std::string>> code_names;
  std::map<std::string, store::AuthCode> codes;  // by hash
  std::vector<store::Client> clients;            // the stored clients
  Status failure;                                // returned by every lookup when set

  ExistingRecords Records() {
    ExistingRecords r;
    r.find_list = [this](int64_t c, int64_t l) -> Result<std::optional<store::RecipientList>> {
      if (!failure.ok()) return failure;
      auto it = lists.find({c, l});
      if (it == lists.end()) return std::optional<store::RecipientList>();
      return std::optional(it->second);
    };
    r.code_names = [this](int64_t c) -> Result<std::vector<std::string>> {
      if (!failure.ok()) return failure;
      return code_names[c];
    };
    r.find_code = [this](const std::string& hash) -> Result<std::optional<store::AuthCode>> {
      if (!failure.ok()) return failure;
      auto it = codes.find(hash);
      if (it == codes.end()) return std::optional<store::AuthCode>();
      return std::optional(it->second);
    };
    r.clients = [this]() -> Result<std::vector<store::Client>> {
      if (!failure.ok()) return failure;
      return clients;
    };
    return r;
  }
};

class ProvisioningFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("admin_provisioning_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "keys");
    std::ofstream(dir_ / "keys" / "s1.pem") << kTestKeyPem;
    std::ofstream(dir_ / "keys" / "garbage.pem") << "not a key";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<Provisioning> Parse(std::string_view text) {
    return ParseProvisioning(text, "p.toml", dir_, db_.Records());
  }
  // The problems reported for kHeader + `body`, or "" when it is valid.
  std::string Errors(std::string_view body) {
    auto result = Parse(std::string(kHeader) + std::string(body));
    if (result.ok()) return "";
    EXPECT_TRUE(result.status().IsInvalidArgument()) << result.status().ToString();
    return result.status().message();
  }

  std::filesystem::path dir_;
  Database db_;
};

}  // namespace campaignd::admin

#endif  // CAMPAIGND_ADMIN_ADMIN_TESTUTIL_H_
