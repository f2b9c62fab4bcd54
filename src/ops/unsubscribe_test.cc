#include "ops/unsubscribe.h"

#include <gtest/gtest.h>

#include "ops/ops_testutil.h"

namespace campaignd::ops {
namespace {

using store::RecipientState;

class UnsubscribeTest : public ::testing::Test {
 protected:
  std::string Unsub(std::initializer_list<std::pair<std::string, std::string>> params) {
    return Body(env.Form("unsubscribe", params));
  }
  bool Suppressed(const std::string& id, int64_t list = 100) {
    return env.store.directory().CheckSuppression(1, list, id)->unsubscribed;
  }
  RecipientOpsTestEnv env;
};

TEST_F(UnsubscribeTest, MarksTheRecipientAndTheClientWideList) {
  EXPECT_EQ(Unsub({{"bmRecipientId", "Jane@Example.com"}}), "ok");
  EXPECT_EQ(env.Stored("jane@example.com")->state, RecipientState::kUnsubscribed);
  EXPECT_TRUE(Suppressed("jane@example.com", 200));  // client-wide
  auto u = env.store.engine().recipients().FindUnsubscribe(1, "jane@example.com");
  ASSERT_TRUE(u.ok() && u->has_value());
  EXPECT_EQ((*u)->mail_id, 0);  // not attributed
  EXPECT_EQ((*u)->at, env.clock.Now());
  // Its event, in the same transaction (events.md §1).
  EXPECT_EQ(env.Events("unsubscribe"),
            std::vector<std::string>{R"(100 0 jane@example.com {"source":"http"})"});
}

TEST_F(UnsubscribeTest, AlreadyUnsubscribedAndVerbose) {
  ASSERT_EQ(Unsub({{"bmRecipientId", "jane@example.com"}}), "ok");
  EXPECT_EQ(Unsub({{"bmRecipientId", "jane@example.com"}}), "ok");
  EXPECT_EQ(Unsub({{"bmRecipientId", "jane@example.com"}, {"bmVerbose", "1"}}),
            "ok: already_unsubscribed");
  EXPECT_EQ(env.Events("unsubscribe").size(), 1u);  // no change, no event
  // Already unsubscribed: bmRemoveId does not remove.
  EXPECT_EQ(Unsub({{"bmRecipientId", "jane@example.com"}, {"bmRemoveId", "true"}}), "ok");
  EXPECT_TRUE(env.Stored("jane@example.com").has_value());
}

TEST_F(UnsubscribeTest, UnknownAddressIsStillUnsubscribed) {
  EXPECT_EQ(Unsub({{"bmRecipientId", "stranger@example.com"}}), "ok");
  EXPECT_TRUE(Suppressed("stranger@example.com"));
  EXPECT_EQ(
      Unsub(
          {{"bmRecipientId", "other@example.com"}, {"bmRemoveId", "true"}, {"bmVerbose", "true"}}),
      "ok: not_found");
  EXPECT_EQ(Unsub({}), "missing_id");
  EXPECT_EQ(Unsub({{"bmRecipientId", "bad address"}}), "syntax_error");
}

TEST_F(UnsubscribeTest, RemoveIdDeletesFromOrdinaryListsButNotTransactionLists) {
  ASSERT_EQ(Body(env.Form("copy", {{"bmRecipientId", "jane@example.com"}, {"bmListId", "200"}})),
            "ok");
  ASSERT_EQ(Body(env.Form("copy", {{"bmRecipientId", "jane@example.com"}, {"bmListId", "300"}})),
            "ok");
  EXPECT_EQ(Unsub({{"bmRecipientId", "jane@example.com"}, {"bmRemoveId", "1"}}), "ok");
  EXPECT_FALSE(env.Stored("jane@example.com", 100).has_value());
  EXPECT_FALSE(env.Stored("jane@example.com", 200).has_value());
  EXPECT_TRUE(env.Stored("jane@example.com", 300).has_value());
  EXPECT_TRUE(Suppressed("jane@example.com"));
}

TEST_F(UnsubscribeTest, AttributedToTheMailOfTheMailServiceOrBmMailId) {
  std::string mail_id = env.MailIdFor("jane@example.com");
  const int64_t sequence = env.last_sequence;
  EXPECT_EQ(Body(env.Mail(mail_id, "unsubscribe", {})), "ok");
  auto u = *env.store.engine().recipients().FindUnsubscribe(1, "jane@example.com");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->mail_id, sequence);
  EXPECT_EQ(u->mailing_id, 5004);

  std::string johns = env.MailIdFor("john.smith@example.com");
  EXPECT_EQ(Unsub({{"bmRecipientId", "john.smith@example.com"}, {"bmMailId", johns}}), "ok");
  EXPECT_EQ(
      (*env.store.engine().recipients().FindUnsubscribe(1, "john.smith@example.com"))->mail_id,
      env.last_sequence);
  // A forged or foreign bmMailId never blocks the unsubscribe.
  std::string forged = MailId::Make(1, env.last_sequence, "wrong secret").ToString();
  EXPECT_EQ(Unsub({{"bmRecipientId", "z@example.com"}, {"bmMailId", forged}}), "ok");
  EXPECT_EQ((*env.store.engine().recipients().FindUnsubscribe(1, "z@example.com"))->mail_id, 0);
}

TEST_F(UnsubscribeTest, OneClickPostIsAnUnsubscribe) {
  std::string mail_id = env.MailIdFor("john.smith@example.com");
  Answer a = env.Call(auth::Service::kMail, mail_id, "unsubscribe",
                      {{"List-Unsubscribe", "One-Click"}}, "POST", "https");
  EXPECT_EQ(Body(a), "ok");
  EXPECT_EQ(env.Stored("john.smith@example.com")->state, RecipientState::kUnsubscribed);
  EXPECT_EQ(env.Events("unsubscribe"),
            std::vector<std::string>{"100 " + std::to_string(env.last_sequence) +
                                     R"( john.smith@example.com {"source":"oneclick"})"});
  // The next send to them is judged unsubscribed.
  EXPECT_TRUE(Suppressed("john.smith@example.com"));
}

}  // namespace
}  // namespace campaignd::ops
