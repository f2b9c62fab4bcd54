#include "ops/subscribe.h"

#include <gtest/gtest.h>

#include "ops/ops_testutil.h"

namespace campaignd::ops {
namespace {

using std::chrono::minutes;
using store::RecipientState;

class SubscribeTest : public ::testing::Test {
 protected:
  std::string Sub(std::initializer_list<std::pair<std::string, std::string>> params) {
    return Body(env.Form("subscribe", params));
  }
  int64_t NextSequence() {
    return *env.store.queue().Enqueue({1, 100, 5004, "x@y.de", {}, {}}) + 1;
  }
  RecipientOpsTestEnv env;
};

TEST_F(SubscribeTest, AddsANewActiveRecipientWithItsFields) {
  EXPECT_EQ(Sub({{"bmRecipientId", "New.One@Example.com"},
                 {"firstname", "Nia"},
                 {"orders", "2"},
                 {"shoesize", "42"},
                 {"bmOptinSource", "Shop/1.0"}}),
            "ok");
  auto r = env.Stored("new.one@example.com");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->state, RecipientState::kActive);
  EXPECT_EQ(r->fields, (FieldValues{{"firstname", "Nia"}, {"orders", "2"}}));
  EXPECT_EQ(r->optin_source, "Shop/1.0");
  EXPECT_EQ(env.notifier.count, 0);  // no opt-in process: no mail
}

TEST_F(SubscribeTest, ExistingRecipientIsDuplicateUnlessOverwrite) {
  EXPECT_EQ(Sub({{"bmRecipientId", "jane@example.com"}, {"firstname", "J"}}), "duplicate");
  EXPECT_EQ(env.Stored("jane@example.com")->fields.at("firstname"), "Jane");
  EXPECT_EQ(Sub({{"bmRecipientId", "JANE@example.com"}, {"firstname", "J"}, {"bmOverwrite", "1"}}),
            "ok");
  EXPECT_EQ(Sub({{"bmRecipientId", "jane@example.com"},
                 {"firstname", "Jo"},
                 {"bmOverwrite", "true"},
                 {"bmVerbose", "true"}}),
            "ok: update");
  auto r = env.Stored("jane@example.com");
  EXPECT_EQ(r->fields.at("firstname"), "Jo");
  EXPECT_EQ(r->fields.at("orders"), "0");  // fields not sent are kept
}

TEST_F(SubscribeTest, SuppressedAddressesAreRefusedInOrder) {
  store::ClientSpec spec = testing::ShoeStore(1);
  spec.blocklist = {{"*@blocked.example", "test"}};
  spec.bounces = {{"bouncy@example.com", 3}, {"blocked@blocked.example", 5}};
  ASSERT_TRUE(env.store.provisioner().Apply({spec}).ok());
  EXPECT_EQ(Sub({{"bmRecipientId", "blocked@blocked.example"}}), "blacklisted");
  EXPECT_EQ(Sub({{"bmRecipientId", "bouncy@example.com"}}), "too_many_bounces");
  EXPECT_FALSE(env.Stored("bouncy@example.com").has_value());
  EXPECT_EQ(Sub({}), "missing_id");
  EXPECT_EQ(Sub({{"bmRecipientId", "not an address"}}), "syntax_error");
  EXPECT_EQ(Sub({{"bmRecipientId", "a@example.com"}, {"orders", "many"}}), "syntax_error");
  EXPECT_EQ(Sub({{"bmRecipientId", "a@example.com"}, {"orders[add]", "1"}}), "syntax_error");
  EXPECT_EQ(Sub({{"bmRecipientId", "a@example.com"}, {"bmOptInId", "99"}}), "syntax_error");
  EXPECT_EQ(Sub({{"bmRecipientId", "a@example.com"}, {"bmOptInId", "x"}}), "syntax_error");
  EXPECT_EQ(Sub({{"bmRecipientId", "a@example.com"}, {"bmOptinFrequencyLimit", "-1"}}),
            "syntax_error");
  EXPECT_FALSE(env.Stored("a@example.com").has_value());
}

TEST_F(SubscribeTest, UnsubscribedIsReactivatedUnlessFailOnUnsubscribe) {
  ASSERT_EQ(Body(env.Form("unsubscribe", {{"bmRecipientId", "jane@example.com"}})), "ok");
  EXPECT_EQ(Sub({{"bmRecipientId", "jane@example.com"}, {"bmFailOnUnsubscribe", "true"}}),
            "unsubscribed");
  EXPECT_EQ(env.Stored("jane@example.com")->state, RecipientState::kUnsubscribed);
  EXPECT_EQ(Sub({{"bmRecipientId", "jane@example.com"}}), "ok");
  EXPECT_EQ(env.Stored("jane@example.com")->state, RecipientState::kActive);
  auto sup = env.store.directory().CheckSuppression(1, 100, "jane@example.com");
  EXPECT_FALSE(sup->unsubscribed);
}

TEST_F(SubscribeTest, SingleOptInActivatesWithoutMail) {
  EXPECT_EQ(Sub({{"bmRecipientId", "s@example.com"}, {"bmOptInId", "1"}}), "ok");
  auto r = env.Stored("s@example.com");
  EXPECT_EQ(r->state, RecipientState::kActive);
  EXPECT_EQ(r->optin_id, 1);
  EXPECT_EQ(env.notifier.count, 0);
  EXPECT_EQ(env.Events("singleoptin"),
            std::vector<std::string>{R"(100 0 s@example.com {"optInProcessId":1,"source":""})"});
  // A refused subscribe (duplicate) writes none.
  EXPECT_EQ(Sub({{"bmRecipientId", "s@example.com"}, {"bmOptInId", "1"}}), "duplicate");
  EXPECT_EQ(env.Events("singleoptin").size(), 1u);
}

TEST_F(SubscribeTest, ConfirmedOptInActivatesAndSendsTheNotice) {
  int64_t next = NextSequence();
  EXPECT_EQ(Sub({{"bmRecipientId", "c@example.com"}, {"bmOptInId", "2"}}), "ok");
  EXPECT_EQ(env.Stored("c@example.com")->state, RecipientState::kActive);
  auto mails = env.MailsFrom(next);
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].mailing_id, 5010);
  EXPECT_EQ(mails[0].recipient_id, "c@example.com");
  EXPECT_EQ(mails[0].list_id, 100);
  EXPECT_EQ(env.notifier.count, 1);
  EXPECT_EQ(env.Events("confirmedoptin").size(), 1u);
}

TEST_F(SubscribeTest, DoubleOptInIsPendingUntilTheMailServiceConfirms) {
  int64_t next = NextSequence();
  EXPECT_EQ(Sub({{"bmRecipientId", "d@example.com"}, {"bmOptInId", "3"}, {"firstname", "Di"}}),
            "ok");
  auto r = env.Stored("d@example.com");
  EXPECT_EQ(r->state, RecipientState::kPending);
  EXPECT_EQ(r->optin_at, env.clock.Now());
  auto mails = env.MailsFrom(next);
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].mailing_id, 5010);
  EXPECT_TRUE(env.Events("doubleoptin").empty());  // not before the confirmation
  // A form subscribe without the double opt-in does not confirm.
  EXPECT_EQ(Sub({{"bmRecipientId", "d@example.com"}}), "duplicate");
  EXPECT_EQ(Sub({{"bmRecipientId", "d@example.com"}, {"bmOptInId", "1"}}), "duplicate");
  EXPECT_EQ(env.Stored("d@example.com")->state, RecipientState::kPending);
  // The confirmation mail's own mail ID is the code of the confirm link.
  std::string link = MailId::Make(1, mails[0].id, std::string(testing::kSecret) + "1").ToString();
  EXPECT_EQ(Body(env.Mail(link, "subscribe", {})), "ok");
  r = env.Stored("d@example.com");
  EXPECT_EQ(r->state, RecipientState::kActive);
  EXPECT_EQ(r->fields.at("firstname"), "Di");
  EXPECT_EQ(env.Events("doubleoptin"),
            std::vector<std::string>{R"(100 0 d@example.com {"optInProcessId":3,"source":""})"});
  EXPECT_EQ(Body(env.Mail(link, "subscribe", {})), "duplicate");
  EXPECT_EQ(env.Events("doubleoptin").size(), 1u);
}

TEST_F(SubscribeTest, DoubleOptInMailsAreThrottledByTheFrequencyLimit) {
  int64_t next = NextSequence();
  ASSERT_EQ(Sub({{"bmRecipientId", "d@example.com"}, {"bmOptInId", "3"}}), "ok");
  env.clock.Advance(minutes(9));
  ASSERT_EQ(Sub({{"bmRecipientId", "d@example.com"}, {"bmOptInId", "3"}}), "ok");
  EXPECT_EQ(env.MailsFrom(next).size(), 1u);  // default 10 minutes
  env.clock.Advance(minutes(2));
  ASSERT_EQ(Sub({{"bmRecipientId", "d@example.com"}, {"bmOptInId", "3"}}), "ok");
  EXPECT_EQ(env.MailsFrom(next).size(), 2u);
  // The caller cannot lift the server's limit: 0 (or 1) is read as 10.
  for (const char* lower : {"0", "1", "9"}) {
    ASSERT_EQ(Sub({{"bmRecipientId", "d@example.com"},
                   {"bmOptInId", "3"},
                   {"bmOptinFrequencyLimit", lower}}),
              "ok");
  }
  EXPECT_EQ(env.MailsFrom(next).size(), 2u);
  // ...but may tighten it.
  env.clock.Advance(minutes(30));
  ASSERT_EQ(Sub({{"bmRecipientId", "d@example.com"},
                 {"bmOptInId", "3"},
                 {"bmOptinFrequencyLimit", "60"}}),
            "ok");
  EXPECT_EQ(env.MailsFrom(next).size(), 2u);
  EXPECT_EQ(env.Stored("d@example.com")->state, RecipientState::kPending);
}

TEST_F(SubscribeTest, TheServersMinimumIsASetting) {
  env.settings.optin_frequency_limit = minutes(60);
  int64_t next = NextSequence();
  ASSERT_EQ(Sub({{"bmRecipientId", "d@example.com"}, {"bmOptInId", "3"}}), "ok");
  env.clock.Advance(minutes(30));
  ASSERT_EQ(
      Sub({{"bmRecipientId", "d@example.com"}, {"bmOptInId", "3"}, {"bmOptinFrequencyLimit", "5"}}),
      "ok");
  EXPECT_EQ(env.MailsFrom(next).size(), 1u);
  env.clock.Advance(minutes(31));
  ASSERT_EQ(Sub({{"bmRecipientId", "d@example.com"}, {"bmOptInId", "3"}}), "ok");
  EXPECT_EQ(env.MailsFrom(next).size(), 2u);
}

TEST_F(SubscribeTest, ConfirmedOptInNoticesAreThrottledToo) {
  int64_t next = NextSequence();
  ASSERT_EQ(Sub({{"bmRecipientId", "c@example.com"}, {"bmOptInId", "2"}}), "ok");
  EXPECT_EQ(env.MailsFrom(next).size(), 1u);
  // Unsubscribe and subscribe again, over and over: one notice per limit.
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Body(env.Form("unsubscribe", {{"bmRecipientId", "c@example.com"}})), "ok");
    ASSERT_EQ(Sub({{"bmRecipientId", "c@example.com"},
                   {"bmOptInId", "2"},
                   {"bmOptinFrequencyLimit", "0"}}),
              "ok");
  }
  EXPECT_EQ(env.MailsFrom(next).size(), 1u);
  EXPECT_EQ(env.Stored("c@example.com")->state, RecipientState::kActive);
}

TEST_F(SubscribeTest, OneSourceGetsAtMostItsLimitOfMailsPerWindow) {
  env.settings.optin_source_limit = 3;
  env.settings.optin_source_window = std::chrono::seconds(600);
  const auto from = [&](const std::string& address, const char* ip) {
    return Body(env.Call(auth::Service::kForm, testing::kFormCode, "subscribe",
                         {{"bmRecipientId", address}, {"bmOptInId", "3"}}, "GET", "http", ip));
  };
  int64_t next = NextSequence();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(from("victim" + std::to_string(i) + "@example.com", "192.0.2.9"), "ok") << i;
  }
  EXPECT_EQ(env.MailsFrom(next).size(), 3u);  // victims 3 and 4 stored, no mail
  EXPECT_EQ(env.Stored("victim4@example.com")->state, RecipientState::kPending);
  // Another source is not held up; an IPv6 /64 is one source.
  EXPECT_EQ(from("other@example.com", "198.51.100.1"), "ok");
  EXPECT_EQ(env.MailsFrom(next).size(), 4u);
  for (int i = 0; i < 4; ++i) {
    from("v6-" + std::to_string(i) + "@example.com",
         ("2001:db8:7:7::" + std::to_string(i + 1)).c_str());
  }
  EXPECT_EQ(env.MailsFrom(next).size(), 7u);
  // The next window: the throttled address gets its mail now (its last
  // opt-in time was not moved by the throttled request).
  env.clock.Advance(minutes(10));
  EXPECT_EQ(from("victim4@example.com", "192.0.2.9"), "ok");
  EXPECT_EQ(env.MailsFrom(next).size(), 8u);
}

TEST_F(SubscribeTest, WithoutACoordinationStoreAMailingOptInIsASystemError) {
  Deps d = env.deps();
  d.coordination = nullptr;
  Params p;
  p.Add("bmRecipientId", "x@example.com");
  p.Add("bmOptInId", "3");
  Answer a = HandleRequest(
      {auth::Service::kForm, testing::kFormCode, "subscribe", "GET", "http", "127.0.0.1"}, p, d);
  ASSERT_FALSE(a.result.ok());
  EXPECT_EQ(a.result.status().code(), Status::Code::kInternal);
  EXPECT_FALSE(env.Stored("x@example.com").has_value());
}

TEST_F(SubscribeTest, MailServiceSubscribesTheMailsRecipient) {
  std::string mail_id = env.MailIdFor("newbie@example.com");
  EXPECT_EQ(Body(env.Mail(mail_id, "subscribe", {{"firstname", "Ned"}})), "ok");
  EXPECT_EQ(env.Stored("newbie@example.com")->fields.at("firstname"), "Ned");
  EXPECT_EQ(Body(env.Mail(mail_id, "subscribe", {{"bmRecipientId", "other@example.com"}})),
            "syntax_error");
  EXPECT_EQ(Body(env.Mail(mail_id, "subscribe", {})), "duplicate");
}

}  // namespace
}  // namespace campaignd::ops
