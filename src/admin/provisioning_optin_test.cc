// [[client.optin]] in the provisioning file: valid processes, each error
// with its line, and the processes reaching the store through Apply.
#include <gtest/gtest.h>

#include "admin/admin_testutil.h"
#include "testing/temp_store.h"

namespace campaignd::admin {
namespace {

// Lines 1-16: client 1 (redirect host shop.example), list 100 and
// confirmation mailing 7.
constexpr char kClient[] = R"([[client]]
id = 1
name = "Shoe Store"
transport = "file:outbox"
redirect_hosts = ["shop.example"]
  [[client.list]]
  id = 100
  name = "Customers"
  [[client.mailing]]
  id = 7
  name = "confirm"
  type = "confirmation"
  from = "shop@example.com"
  subject = "Please confirm"
  lists = [100]
  text = "Confirm: {bmOptInUrl}"
)";

class OptInProvisioningTest : public ProvisioningFileTest {
 protected:
  std::string OptIn(std::string_view body) {
    auto r = Parse(std::string(kClient) + "  [[client.optin]]\n" + std::string(body));
    return r.ok() ? "OK" : r.status().message();
  }
};

TEST_F(OptInProvisioningTest, ReadsEveryKind) {
  auto r = Parse(std::string(kClient) + R"(  [[client.optin]]
  id = 1
  name = "Newsletter"
  kind = "double"
  mailing = 7
  confirmation_url = "https://shop.example/thanks"
  [[client.optin]]
  id = 2
  name = "Shop checkout"
  kind = "single"
  [[client.optin]]
  id = 3
  name = "Notice"
  kind = "confirmed"
  mailing = 7
)");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto& optins = r->clients.at(0).optins;
  ASSERT_EQ(optins.size(), 3u);
  EXPECT_EQ(optins[0].id, 1);
  EXPECT_EQ(optins[0].name, "Newsletter");
  EXPECT_EQ(optins[0].kind, store::OptInKind::kDouble);
  EXPECT_EQ(optins[0].mailing_id, 7);
  EXPECT_EQ(optins[0].confirmation_url, "https://shop.example/thanks");
  EXPECT_EQ(optins[1].kind, store::OptInKind::kSingle);
  EXPECT_EQ(optins[1].mailing_id, 0);
  EXPECT_EQ(optins[2].kind, store::OptInKind::kConfirmed);

  testing::TempStore store;
  ASSERT_TRUE(store.provisioner().Apply(r->clients).ok());
  auto stored = store.engine().recipients().FindOptIn(1, 1);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->confirmation_url, "https://shop.example/thanks");
}

TEST_F(OptInProvisioningTest, ErrorsNameTheLine) {
  EXPECT_EQ(OptIn("  id = 1\n  name = \"x\"\n  kind = \"triple\"\n"),
            "p.toml:20: kind: expected single, confirmed or double");
  EXPECT_EQ(OptIn("  id = 1\n  name = \"x\"\n  kind = \"double\"\n"),
            "p.toml:17: mailing: a double opt-in needs its confirmation mailing");
  EXPECT_EQ(OptIn("  id = 1\n  name = \"x\"\n  kind = \"double\"\n  mailing = 8\n"),
            "p.toml:21: mailing: expected the id of a mailing of type confirmation of the client");
  EXPECT_EQ(OptIn("  id = 1\n  name = \"x\"\n  kind = \"single\"\n"
                  "  confirmation_url = \"https://evil.example/\"\n"),
            "p.toml:21: confirmation_url: host 'evil.example' is not in the client's "
            "redirect_hosts");
  EXPECT_EQ(OptIn("  id = 1\n  name = \"x\"\n  kind = \"single\"\n"
                  "  confirmation_url = \"/thanks\"\n"),
            "p.toml:21: confirmation_url: expected an absolute http:// or https:// URL");
  EXPECT_EQ(OptIn("  id = 0\n  name = \"x\"\n  kind = \"single\"\n"),
            "p.toml:18: id: expected a positive integer ID");
  EXPECT_EQ(OptIn("  id = 1\n  name = \"x\"\n  kind = \"single\"\n  knd = 1\n"),
            "p.toml:21: unknown key 'knd' in [[client.optin]] (did you mean 'kind'?)");
  EXPECT_EQ(OptIn("  id = 1\n  name = \"x\"\n  kind = \"single\"\n"
                  "  [[client.optin]]\n  id = 1\n  name = \"y\"\n  kind = \"single\"\n"),
            "p.toml:22: id: duplicate opt-in process 1 (first at line 18)");
}

TEST(OptInExampleTest, DemoFileHasADoubleOptInAndABlocklistEntry) {
  Database empty;
  auto demo = LoadProvisioningFile(std::filesystem::path(CAMPAIGND_EXAMPLES_DIR) / "demo.toml",
                                   empty.Records());
  ASSERT_TRUE(demo.ok()) << demo.status().ToString();
  const store::ClientSpec& c = demo->clients.at(0);
  ASSERT_EQ(c.optins.size(), 1u);
  EXPECT_EQ(c.optins[0].kind, store::OptInKind::kDouble);
  EXPECT_EQ(c.optins[0].mailing_id, 5001);
  ASSERT_EQ(c.blocklist.size(), 1u);
  EXPECT_EQ(c.blocklist[0].pattern, "*@blocked.example");
}

}  // namespace
}  // namespace campaignd::admin
