// remove, copy, move, updatefields, blacklist/unblacklist and the tracking
// opt-out operations, in both services, and a store failure.
#include <gtest/gtest.h>

#include "ops/ops_testutil.h"

namespace campaignd::ops {
namespace {

using store::RecipientState;

class RecipientOpsTest : public ::testing::Test {
 protected:
  std::string Form(std::string op,
                   std::initializer_list<std::pair<std::string, std::string>> params) {
    return Body(env.Form(std::move(op), params));
  }
  RecipientOpsTestEnv env;
};

TEST_F(RecipientOpsTest, RemoveDeletesWithoutUnsubscribing) {
  EXPECT_EQ(Form("remove", {{"bmRecipientId", "jane@example.com"}}), "ok");
  EXPECT_FALSE(env.Stored("jane@example.com").has_value());
  EXPECT_FALSE(env.store.directory().CheckSuppression(1, 100, "jane@example.com")->unsubscribed);
  EXPECT_EQ(Form("remove", {{"bmRecipientId", "jane@example.com"}}), "ok");
  EXPECT_EQ(Form("remove", {{"bmRecipientId", "jane@example.com"}, {"bmVerbose", "on"}}),
            "ok: not_found");
  EXPECT_EQ(Form("remove", {}), "missing_id");
  std::string mail_id = env.MailIdFor("john.smith@example.com");
  EXPECT_EQ(Body(env.Mail(mail_id, "remove", {})), "ok");
  EXPECT_FALSE(env.Stored("john.smith@example.com").has_value());
}

TEST_F(RecipientOpsTest, CopyAndMoveTokens) {
  EXPECT_EQ(Form("copy", {{"bmRecipientId", "jane@example.com"}}), "missing_id");
  EXPECT_EQ(Form("copy", {{"bmListId", "200"}}), "missing_id");
  EXPECT_EQ(Form("copy", {{"bmRecipientId", "jane@example.com"}, {"bmListId", "999"}}), "wrong_id");
  EXPECT_EQ(Form("copy", {{"bmRecipientId", "jane@example.com"}, {"bmListId", "x"}}), "wrong_id");
  EXPECT_EQ(Form("copy", {{"bmRecipientId", "nobody@example.com"}, {"bmListId", "200"}}),
            "not_found");
  EXPECT_EQ(Form("copy", {{"bmRecipientId", "jane@example.com"}, {"bmListId", "200"}}), "ok");
  auto copy = env.Stored("jane@example.com", 200);
  ASSERT_TRUE(copy.has_value());
  // List 200 has firstname only: orders stays behind.
  EXPECT_EQ(copy->fields, (FieldValues{{"firstname", "Jane"}}));
  EXPECT_TRUE(env.Stored("jane@example.com", 100).has_value());
  EXPECT_EQ(Form("copy", {{"bmRecipientId", "jane@example.com"}, {"bmListId", "200"}}), "ok");
  EXPECT_EQ(
      Form("copy",
           {{"bmRecipientId", "jane@example.com"}, {"bmListId", "200"}, {"bmVerbose", "true"}}),
      "ok: already_exist");
  // Move into a list that has it already still removes the original.
  EXPECT_EQ(
      Form("move",
           {{"bmRecipientId", "jane@example.com"}, {"bmListId", "200"}, {"bmVerbose", "true"}}),
      "ok: already_exist");
  EXPECT_FALSE(env.Stored("jane@example.com", 100).has_value());
  // In neither... only in the target now: already_exist, not not_found.
  EXPECT_EQ(Form("move", {{"bmRecipientId", "jane@example.com"}, {"bmListId", "200"}}), "ok");
}

TEST_F(RecipientOpsTest, MoveKeepsFieldsAndStateInTheMailService) {
  ASSERT_EQ(Form("createtrackingoptout", {{"bmRecipientId", "john.smith@example.com"}}), "ok");
  std::string mail_id = env.MailIdFor("john.smith@example.com");
  EXPECT_EQ(Body(env.Mail(mail_id, "move", {{"bmListId", "300"}})), "ok");
  EXPECT_FALSE(env.Stored("john.smith@example.com", 100).has_value());
  auto moved = env.Stored("john.smith@example.com", 300);
  ASSERT_TRUE(moved.has_value());
  EXPECT_TRUE(moved->tracking_opt_out);
  EXPECT_EQ(moved->state, RecipientState::kActive);
}

TEST_F(RecipientOpsTest, UpdateFieldsOverwritesAndModifies) {
  EXPECT_EQ(Form("updatefields", {{"bmRecipientId", "john.smith@example.com"},
                                  {"firstname", "Jon"},
                                  {"orders[add]", "2"}}),
            "ok");
  auto r = env.Stored("john.smith@example.com");
  EXPECT_EQ(r->fields.at("firstname"), "Jon");
  EXPECT_EQ(r->fields.at("orders"), "5");
  EXPECT_EQ(Form("updatefields", {{"bmRecipientId", "john.smith@example.com"},
                                  {"firstname[prepend]", "<b>"},
                                  {"firstname[append]", "&"},
                                  {"orders[sub]", "1"},
                                  {"bmSanitize", "true"}}),
            "ok");
  r = env.Stored("john.smith@example.com");
  EXPECT_EQ(r->fields.at("firstname"), "&lt;b&gt;Jon&amp;");
  EXPECT_EQ(r->fields.at("orders"), "4");
  std::string mail_id = env.MailIdFor("john.smith@example.com");
  EXPECT_EQ(Body(env.Mail(mail_id, "updatefields", {{"orders", "9"}})), "ok");
  EXPECT_EQ(env.Stored("john.smith@example.com")->fields.at("orders"), "9");
}

TEST_F(RecipientOpsTest, UpdateFieldsTokens) {
  EXPECT_EQ(Form("updatefields", {{"firstname", "x"}}), "missing_id");
  EXPECT_EQ(Form("updatefields", {{"bmRecipientId", "nobody@example.com"}, {"firstname", "x"}}),
            "not_found");
  EXPECT_EQ(Form("updatefields", {{"bmRecipientId", "jane@example.com"}, {"orders", "x"}}),
            "syntax_error");
  EXPECT_EQ(Form("updatefields", {{"bmRecipientId", "jane@example.com"}, {"firstname[add]", "1"}}),
            "syntax_error");
  EXPECT_EQ(Form("updatefields", {{"bmRecipientId", "jane@example.com"}, {"orders[x]", "1"}}),
            "syntax_error");
  EXPECT_EQ(Form("updatefields",
                 {{"bmRecipientId", "jane@example.com"}, {"bmNewRecipientId", "not valid"}}),
            "syntax_error");
  EXPECT_EQ(Form("updatefields",
                 {{"bmRecipientId", "jane@example.com"}, {"bmNewRecipientId", "jane@[10.0.0.1]"}}),
            "syntax_error");  // an address literal, without allow_address_literals
  EXPECT_EQ(Form("subscribe", {{"bmRecipientId", "x@[127.0.0.1]"}}), "syntax_error");
  EXPECT_EQ(env.Stored("jane@example.com")->fields.at("orders"), "0");
  Answer tx = env.Form("updatefields", {{"bmRecipientId", "jane@example.com"}}, kTransactionCode);
  EXPECT_EQ(Body(tx), "wrong_tag: 505");
}

TEST_F(RecipientOpsTest, NewRecipientIdRenamesAcrossListsOrIsDuplicate) {
  ASSERT_EQ(Form("copy", {{"bmRecipientId", "jane@example.com"}, {"bmListId", "200"}}), "ok");
  EXPECT_EQ(Form("updatefields", {{"bmRecipientId", "jane@example.com"},
                                  {"bmNewRecipientId", "john.smith@example.com"},
                                  {"firstname", "X"}}),
            "duplicate");
  EXPECT_EQ(env.Stored("jane@example.com")->fields.at("firstname"), "Jane");  // nothing changed
  EXPECT_EQ(Form("updatefields", {{"bmRecipientId", "jane@example.com"},
                                  {"bmNewRecipientId", "Jane+Shoes@Example.com"},
                                  {"firstname", "Janet"}}),
            "ok");
  EXPECT_FALSE(env.Stored("jane@example.com").has_value());
  EXPECT_EQ(env.Stored("jane+shoes@example.com")->fields.at("firstname"), "Janet");
  EXPECT_TRUE(env.Stored("jane+shoes@example.com", 200).has_value());
  // bmOverwrite replaces the record the new ID had.
  EXPECT_EQ(Form("updatefields", {{"bmRecipientId", "jane+shoes@example.com"},
                                  {"bmNewRecipientId", "john.smith@example.com"},
                                  {"bmOverwrite", "1"}}),
            "ok");
  EXPECT_EQ(env.Stored("john.smith@example.com")->fields.at("firstname"), "Janet");
  EXPECT_TRUE(env.Stored("john.smith@example.com", 200).has_value());
  EXPECT_FALSE(env.Stored("jane+shoes@example.com").has_value());
}

TEST_F(RecipientOpsTest, BlacklistAndUnblacklist) {
  EXPECT_EQ(Form("blacklist", {{"bmPattern", "*@Spam.example"}}), "ok");
  EXPECT_TRUE(env.store.directory().CheckSuppression(1, 100, "joe@spam.example")->blocked);
  EXPECT_EQ(Form("blacklist", {{"bmPattern", "*@spam.example"}}), "ok");
  EXPECT_EQ(Form("blacklist", {{"bmPattern", "*@spam.example"}, {"bmVerbose", "true"}}),
            "ok: already_blacklisted");
  EXPECT_EQ(Form("blacklist", {{"bmPattern", "j?hn@example.com"}, {"bmReason", "complaint"}}),
            "ok");
  EXPECT_TRUE(env.store.directory().CheckSuppression(1, 100, "john@example.com")->blocked);
  EXPECT_EQ(Form("blacklist", {{"bmPattern", "a+b@example.com"}}), "ok");
  EXPECT_TRUE(env.store.directory().CheckSuppression(1, 100, "a+b@example.com")->blocked);
  // One `blocklist` event per pattern added (none for the one already there).
  EXPECT_EQ(env.Events("blocklist"),
            (std::vector<std::string>{
                R"(0 0  {"pattern":"*@spam.example","reason":"http-api"})",
                R"(0 0  {"pattern":"j?hn@example.com","reason":"complaint"})",
                R"(0 0 a+b@example.com {"pattern":"a+b@example.com","reason":"http-api"})"}));
  EXPECT_EQ(Form("blacklist", {}), "missing_id");
  for (const char* bad : {"*", "no-at-sign", "a@b@c", "has space@x.de", "bad@"}) {
    EXPECT_EQ(Form("blacklist", {{"bmPattern", bad}}), "syntax_error") << bad;
  }
  // A pattern that matches every address would block all of the client's mail.
  for (const char* every : {"*@*", "?*@*", "**@*", "*@**", "*@*.*"}) {
    EXPECT_EQ(Form("blacklist", {{"bmPattern", every}}), "syntax_error") << every;
    EXPECT_FALSE(env.store.directory().CheckSuppression(1, 100, "joe@other.example")->blocked);
    EXPECT_EQ(Form("unblacklist", {{"bmPattern", every}, {"bmVerbose", "1"}}), "ok: not_found");
  }
  EXPECT_EQ(Form("unblacklist", {{"bmPattern", "*@spam.example"}}), "ok");
  EXPECT_FALSE(env.store.directory().CheckSuppression(1, 100, "joe@spam.example")->blocked);
  EXPECT_EQ(Form("unblacklist", {{"bmPattern", "*@spam.example"}}), "ok");
  EXPECT_EQ(Form("unblacklist", {{"bmPattern", "*@spam.example"}, {"bmVerbose", "1"}}),
            "ok: not_found");
  EXPECT_EQ(Form("unblacklist", {}), "missing_id");
  // Form service only.
  std::string mail_id = env.MailIdFor("jane@example.com");
  EXPECT_EQ(Body(env.Mail(mail_id, "blacklist", {{"bmPattern", "x@y.de"}})), "wrong_tag: 506");
}

TEST_F(RecipientOpsTest, TrackingOptOutSetAndCleared) {
  EXPECT_EQ(Form("createtrackingoptout", {{"bmRecipientId", "jane@example.com"}}), "ok");
  EXPECT_TRUE(env.Stored("jane@example.com")->tracking_opt_out);
  EXPECT_EQ(Form("deletetrackingoptout", {{"bmRecipientId", "jane@example.com"}}), "ok");
  EXPECT_FALSE(env.Stored("jane@example.com")->tracking_opt_out);
  EXPECT_EQ(Form("createtrackingoptout", {{"bmRecipientId", "nobody@example.com"}}), "not_found");
  EXPECT_EQ(Form("deletetrackingoptout", {}), "missing_id");
  std::string mail_id = env.MailIdFor("jane@example.com");
  EXPECT_EQ(Body(env.Mail(mail_id, "createtrackingoptout", {})), "ok");
  EXPECT_TRUE(env.Stored("jane@example.com")->tracking_opt_out);
}

// A Recipients whose writes fail: the operation fails with that Status
// (http/ answers 503 for Unavailable) and nothing is written.
class FailingRecipients final : public store::Recipients {
 public:
  explicit FailingRecipients(store::Recipients& real) : real_(real) {}
  Result<std::optional<store::OptInProcess>> FindOptIn(int64_t c, int64_t id) override {
    return real_.FindOptIn(c, id);
  }
  Result<std::optional<store::Recipient>> FindRecipient(int64_t c, int64_t l,
                                                        std::string_view id) override {
    return real_.FindRecipient(c, l, id);
  }
  Result<std::optional<store::Unsubscribe>> FindUnsubscribe(int64_t c,
                                                            std::string_view a) override {
    return real_.FindUnsubscribe(c, a);
  }
  Status Write(int64_t, const std::vector<std::string>&, const Work&) override {
    return Status::Unavailable("database is locked");
  }

 private:
  store::Recipients& real_;
};

TEST_F(RecipientOpsTest, AStoreFailureIsAFailedStatus) {
  FailingRecipients failing(env.store.engine().recipients());
  Deps deps{env.errors, env.errors, failing, env.clock, env.notifier, Settings{}};
  for (const char* op : {"subscribe", "unsubscribe", "remove", "updatefields",
                         "createtrackingoptout", "blacklist", "copy"}) {
    Params p;
    p.Add("bmRecipientId", "new@example.com");
    p.Add("bmPattern", "new@example.com");
    p.Add("bmListId", "200");
    Answer a = HandleRequest(
        {auth::Service::kForm, testing::kFormCode, op, "GET", "http", "127.0.0.1"}, p, deps);
    ASSERT_FALSE(a.result.ok()) << op;
    EXPECT_EQ(a.result.status().code(), Status::Code::kUnavailable) << op;
  }
  EXPECT_EQ(env.notifier.count, 0);
}

}  // namespace
}  // namespace campaignd::ops
