#include "core/verp.h"

#include <gtest/gtest.h>

namespace campaignd {
namespace {

const MailId kId = MailId::Make(1, 1, "secret");

TEST(VerpTest, BuildsTheReturnPathOfEventsSpec) {
  Result<std::string> path = BuildReturnPath("Bounces", kId, "Bounce.Shop.Example");
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(*path, "bounces+" + kId.ToString() + "@bounce.shop.example");
}

TEST(VerpTest, ParseInvertsBuildInAnyCase) {
  std::string path = *BuildReturnPath("bounces", kId, "bounce.shop.example");
  std::string upper = path;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const std::string& text : {path, upper}) {
    Result<VerpAddress> verp = ParseVerpAddress(text);
    ASSERT_TRUE(verp.ok()) << text << ": " << verp.status().ToString();
    EXPECT_EQ(verp->local, "bounces");
    EXPECT_EQ(verp->mail_id, kId);
    EXPECT_TRUE(verp->mail_id.Verify("secret"));
    EXPECT_EQ(verp->domain, "bounce.shop.example");
  }
  // The example of events.md §2 parses (its MAC is not checked here).
  Result<VerpAddress> example =
      ParseVerpAddress("bounces+1-1-ZRPCCFKTB31DS84H@bounce.shop.example");
  ASSERT_TRUE(example.ok()) << example.status().ToString();
  EXPECT_EQ(example->mail_id.client_id(), 1);
  EXPECT_EQ(example->mail_id.sequence(), 1);
}

TEST(VerpTest, BuildRefusesBadLocalPartsAndDomains) {
  for (std::string_view local :
       {"", "a+b", "a%b", "a!b", ".a", "a.", "a..b", "a b", "\"a\"", "a@b", "a:b"}) {
    EXPECT_FALSE(BuildReturnPath(local, kId, "bounce.example").ok()) << local;
  }
  for (std::string_view domain : {"", "localhost", "-a.example", "a-.example", "a..example",
                                  ".example", "example.", "[192.0.2.1]",
                                  "b\xC3\xBC"
                                  "cher.example",
                                  "a_b.example"}) {
    EXPECT_FALSE(BuildReturnPath("bounces", kId, domain).ok()) << domain;
  }
  EXPECT_FALSE(BuildReturnPath(std::string(60, 'a'), kId, "bounce.example").ok());
}

// Every construct an open-relay probe uses is refused, each with its name.
TEST(VerpTest, ParseRefusesEveryRoutingTrick) {
  std::string id = kId.ToString();
  struct Case {
    std::string address;
    std::string reason;
  };
  const Case cases[] = {
      {"", "empty address"},
      {"<bounces+" + id + "@bounce.example>", "angle brackets"},
      {"@relay.example:bounces+" + id + "@bounce.example", "source route"},
      {"@a.example,@b.example:bounces+" + id + "@bounce.example", "source route"},
      {"bounces+" + id + "%victim.example@bounce.example", "'%' hack"},
      {"victim.example!bounces+" + id + "@bounce.example", "'!' path"},
      {"\"bounces+" + id + "\"@bounce.example", "quoted local part"},
      {"\"a@b\"+" + id + "@bounce.example", "quoted local part"},
      {"bounces\\+" + id + "@bounce.example", "quoted local part"},
      {"bounces+" + id + "@bounce.example@victim.example", "not exactly one '@'"},
      {"bounces+" + id, "not exactly one '@'"},
      {"bounces@bounce.example", "no '+'"},
      {"bounces+x+" + id + "@bounce.example", "more than one '+'"},
      {"bounces+" + id + "+@bounce.example", "more than one '+'"},
      {"+" + id + "@bounce.example", "empty bounce local part"},
      {"bou nces+" + id + "@bounce.example", "letters, digits"},
      {"bounces+" + id + "@localhost", "needs a dot"},
      {"bounces+" + id + "@[192.0.2.1]", "not a host name"},
      {"bounces+" + id + "@bounce.example.", "not a host name"},
      {"bounces+not-a-mail-id@bounce.example", "VERP mail ID"},
      {"bounces+" + id + "x@bounce.example", "VERP mail ID"},
      {"bounces+" + id + "@" + std::string(250, 'a') + ".example", "address too long"},
      {"bounces+" + id + "@bounce.example\r\nRCPT TO:<x@y.example>", "angle brackets"},
  };
  for (const Case& c : cases) {
    Result<VerpAddress> verp = ParseVerpAddress(c.address);
    ASSERT_FALSE(verp.ok()) << c.address;
    EXPECT_NE(verp.status().message().find(c.reason), std::string::npos)
        << c.address << " -> " << verp.status().message();
  }
}

TEST(VerpTest, ParseRefusesControlCharactersInTheDomain) {
  std::string id = kId.ToString();
  EXPECT_FALSE(ParseVerpAddress("bounces+" + id + "@bounce.example\n").ok());
  EXPECT_FALSE(ParseVerpAddress("bounces+" + id + std::string("@bounce\0.example", 16)).ok());
}

TEST(VerpTest, BounceSettingsFitEveryMailId) {
  EXPECT_TRUE(CheckBounceSettings("bounces", "bounce.shop.example").ok());
  EXPECT_TRUE(CheckBounceSettings("Re-Turn_s.x", "Bounce.Shop.Example").ok());
  EXPECT_FALSE(CheckBounceSettings("", "bounce.shop.example").ok());
  EXPECT_FALSE(CheckBounceSettings("a+b", "bounce.shop.example").ok());
  EXPECT_FALSE(CheckBounceSettings("bounces", "localhost").ok());
  EXPECT_FALSE(CheckBounceSettings("bounces", "bounce_shop.example").ok());
  // A local part that leaves no room for the longest mail ID in 64 octets.
  Status long_local = CheckBounceSettings(std::string(30, 'b'), "bounce.shop.example");
  EXPECT_FALSE(long_local.ok());
  EXPECT_NE(long_local.message().find("too long"), std::string::npos) << long_local.ToString();
}

}  // namespace
}  // namespace campaignd
