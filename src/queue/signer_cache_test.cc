#include "queue/signer_cache.h"

#include <gtest/gtest.h>

namespace campaignd::queue {
namespace {

TEST(SignerCacheTest, DomainAlignment) {
  EXPECT_TRUE(DomainAligned("example.com", "example.com"));
  EXPECT_TRUE(DomainAligned("Mail.Example.com", "example.COM"));
  EXPECT_FALSE(DomainAligned("badexample.com", "example.com"));
  EXPECT_FALSE(DomainAligned("example.com", "mail.example.com"));
  EXPECT_FALSE(DomainAligned("example.com", ""));
}

TEST(SignerCacheTest, BadKeysAreReportedNotFatal) {
  SignerCache cache;
  std::vector<std::string> problems;
  auto signers = cache.SignersFor({{"example.com", "s1", "rsa-sha256", "not a pem"}},
                                  "example.com", &problems);
  EXPECT_TRUE(signers.empty());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("s1._domainkey.example.com"), std::string::npos);
  EXPECT_EQ(problems[0].find("not a pem"), std::string::npos);  // key bytes never echoed
  // Keys of other domains are not even loaded.
  problems.clear();
  EXPECT_TRUE(cache.SignersFor({{"other.org", "s1", "rsa-sha256", "x"}}, "example.com", &problems)
                  .empty());
  EXPECT_TRUE(problems.empty());
}

}  // namespace
}  // namespace campaignd::queue
