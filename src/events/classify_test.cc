#include "events/classify.h"

#include <gtest/gtest.h>

namespace campaignd::events {
namespace {

struct Case {
  const char* action;
  const char* status;
  const char* diagnostic;
  BounceCategory category;
  const char* rule;
};

TEST(ClassifyTest, TheOrderOfTheRules) {
  const Case cases[] = {
      {"delayed", "5.1.1", "user unknown", BounceCategory::kSoft, "action delayed"},
      {"delivered", "", "", BounceCategory::kNone, "action not a failure"},
      {"relayed", "5.0.0", "", BounceCategory::kNone, "action not a failure"},
      {"failed", "2.0.0", "", BounceCategory::kNone, "status 2"},
      {"failed", "5.1.1", "550 5.1.1 User unknown", BounceCategory::kHard, "user unknown"},
      {"FAILED", "5.1.1", "", BounceCategory::kHard, "status 5"},
      {"failed", "", "", BounceCategory::kHard, "action failed"},
      {"", "", "", BounceCategory::kNone, "no failure"},
      {"", "4.4.7", "", BounceCategory::kSoft, "status 4"},
      // The status is missing: the code in the text counts.
      {"", "", "smtp; 550 5.1.1 <a@b.example>", BounceCategory::kHard, "status 5"},
      {"", "", "452 4.2.2 over quota", BounceCategory::kSoft, "mailbox full"},
      // The text contradicts a permanent status: mailbox full and blocks are soft.
      {"failed", "5.2.2", "", BounceCategory::kSoft, "mailbox full"},
      {"failed", "5.0.0", "552 Mailbox full", BounceCategory::kSoft, "mailbox full"},
      {"failed", "5.7.1", "", BounceCategory::kSoft, "policy block"},
      {"failed", "5.0.0",
       "550 5.7.1 Our system has detected that this message is likely unsolicited mail",
       BounceCategory::kSoft, "policy block"},
      {"failed", "5.0.0",
       "554 Service unavailable; Client host [198.51.100.7] blocked using zen.spamhaus.example",
       BounceCategory::kSoft, "policy block"},
      {"failed", "5.7.1", "550 5.7.1 RESOLVER.ADR.RecipientNotFound", BounceCategory::kHard,
       "user unknown"},
      // "User unknown" with a temporary status: the server said try again.
      {"failed", "4.1.1", "450 4.1.1 <a@b.example>: Recipient address rejected: unknown user",
       BounceCategory::kSoft, "status 4"},
      {"", "", "554: delivery error: dd This user doesn't have a yahoo.example account",
       BounceCategory::kHard, "user unknown"},
  };
  for (const Case& c : cases) {
    Classification got = Classify(c.action, c.status, c.diagnostic);
    EXPECT_EQ(got.category, c.category) << c.action << " | " << c.status << " | " << c.diagnostic;
    EXPECT_EQ(got.rule, c.rule) << c.action << " | " << c.status << " | " << c.diagnostic;
  }
}

TEST(ClassifyTest, FindStatusCode) {
  EXPECT_EQ(FindStatusCode("550 5.1.1 <a@b.example>: user unknown"), "5.1.1");
  EXPECT_EQ(FindStatusCode("550-5.1.1 The email account"), "5.1.1");
  EXPECT_EQ(FindStatusCode("Sorry (#5.1.1)"), "5.1.1");
  EXPECT_EQ(FindStatusCode("5.1.10 RESOLVER"), "5.1.10");
  EXPECT_EQ(FindStatusCode("4.4.7"), "4.4.7");
  EXPECT_EQ(FindStatusCode("version 15.2.3.4 here"), "");
  EXPECT_EQ(FindStatusCode("IP 192.5.1.1"), "");
  EXPECT_EQ(FindStatusCode("3.1.1 6.1.1 5.1234.1 5.1."), "");
  EXPECT_EQ(FindStatusCode(""), "");
  EXPECT_EQ(FindStatusCode("5"), "");
  EXPECT_EQ(FindStatusCode("5.1"), "");
}

TEST(ClassifyTest, CategoryNames) {
  EXPECT_EQ(BounceCategoryName(BounceCategory::kNone), "none");
  EXPECT_EQ(BounceCategoryName(BounceCategory::kSoft), "soft");
  EXPECT_EQ(BounceCategoryName(BounceCategory::kHard), "hard");
}

}  // namespace
}  // namespace campaignd::events
