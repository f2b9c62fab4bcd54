#include "ops/send_event_mail.h"

#include <gtest/gtest.h>

#include "core/mail_id.h"
#include "ops/ops_testutil.h"

namespace campaignd::ops {
namespace {

using auth::Service;

class SendEventMailTest : public ::testing::Test {
 protected:
  // The stored mail behind an `enqueued: <id>` answer.
  store::Mail StoredMail(const Answer& a) {
    EXPECT_TRUE(a.result.ok());
    EXPECT_EQ(a.result->token, Token::kEnqueued);
    auto id = MailId::Parse(a.result->detail);
    EXPECT_TRUE(id.ok()) << a.result->detail;
    auto mail = env.store.queue().FindMail(1, id->sequence());
    EXPECT_TRUE(mail.ok() && mail->has_value());
    return **mail;
  }
  OpsTestEnv env;
};

TEST_F(SendEventMailTest, EnqueuesADurableMailAndWakesTheWorkers) {
  Answer a = env.Form("sendeventmail",
                      {{"bmRecipientId", "John.Smith@Example.com"}, {"bmMailingId", "5000"}});
  ASSERT_TRUE(a.result.ok());
  EXPECT_TRUE(a.result->success);
  auto id = MailId::Parse(a.result->detail);
  ASSERT_TRUE(id.ok());
  EXPECT_TRUE(id->Verify(std::string(testing::kSecret) + "1"));
  store::Mail mail = StoredMail(a);
  EXPECT_EQ(mail.recipient_id, "john.smith@example.com");
  EXPECT_EQ(mail.mailing_id, 5000);
  EXPECT_EQ(mail.list_id, 100);
  EXPECT_EQ(mail.status, MailStatus::kEnqueued);
  EXPECT_EQ(mail.created_at, env.clock.Now());
  EXPECT_EQ(env.notifier.count, 1);
  auto history = env.store.queue().History(1, mail.id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].status, MailStatus::kEnqueued);
}

TEST_F(SendEventMailTest, EachSendIsItsOwnMail) {
  Answer a = env.Form("sendeventmail", {{"bmRecipientId", "jane@example.com"}, {"bmMailingId", "5004"}});
  Answer b = env.Form("sendeventmail", {{"bmRecipientId", "jane@example.com"}, {"bmMailingId", "5004"}});
  EXPECT_NE(StoredMail(a).id, StoredMail(b).id);
}

TEST_F(SendEventMailTest, RecipientNeedNotExistAtRequestTime) {
  // Judged when processed (getsendstatus then says not_found).
  Answer a = env.Form("sendeventmail", {{"bmRecipientId", "nobody@example.org"}, {"bmMailingId", "5004"}});
  EXPECT_EQ(StoredMail(a).recipient_id, "nobody@example.org");
}

// Issue 15: mail to user@[IP] goes to that IP itself; refused unless the
// operator allows address literals.
TEST_F(SendEventMailTest, AddressLiteralsAreSyntaxErrorsUnlessAllowed) {
  for (const char* literal : {"x@[127.0.0.1]", "x@[IPv6:::1]", "x@[10.1.2.3]"}) {
    Answer a = env.Form("sendeventmail", {{"bmRecipientId", literal}, {"bmMailingId", "5004"}});
    EXPECT_EQ(Body(a), "syntax_error") << literal;
  }
  EXPECT_EQ(env.notifier.count, 0);
  env.settings.address_literals = AddressLiterals::kAllow;
  Answer a =
      env.Form("sendeventmail", {{"bmRecipientId", "X@[127.0.0.1]"}, {"bmMailingId", "5004"}});
  EXPECT_EQ(StoredMail(a).recipient_id, "x@[127.0.0.1]");
}

struct TokenCase {
  std::vector<std::pair<std::string, std::string>> params;
  std::string body;
};

TEST_F(SendEventMailTest, EveryRefusalTokenInPrecedenceOrder) {
  const TokenCase cases[] = {
      {{}, "missing_id"},
      {{{"bmRecipientId", "john.smith@example.com"}}, "missing_id"},
      {{{"bmMailingId", "5000"}}, "missing_id"},
      {{{"bmRecipientId", ""}, {"bmMailingId", "5000"}}, "missing_id"},
      {{{"bmRecipientId", "john.smith@example.com"}, {"bmMailingId", ""}}, "missing_id"},
      // missing_id wins over syntax_error
      {{{"bmRecipientId", "not an address"}}, "missing_id"},
      {{{"bmRecipientId", "not an address"}, {"bmMailingId", "5000"}}, "syntax_error"},
      {{{"bmRecipientId", "a@b.com\r\nBcc: x@evil.com"}, {"bmMailingId", "5000"}}, "syntax_error"},
      // syntax_error wins over not_found
      {{{"bmRecipientId", "x@@example.com"}, {"bmMailingId", "999"}}, "syntax_error"},
      {{{"bmRecipientId", "john.smith@example.com"}, {"bmMailingId", "999"}}, "not_found"},
      {{{"bmRecipientId", "john.smith@example.com"}, {"bmMailingId", "abc"}}, "not_found"},
      {{{"bmRecipientId", "john.smith@example.com"}, {"bmMailingId", "-5000"}}, "not_found"},
      // another client's mailing does not exist for this client
      {{{"bmRecipientId", "john.smith@example.com"}, {"bmMailingId", "15000"}}, "not_found"},
      {{{"bmRecipientId", "john.smith@example.com"}, {"bmMailingId", "5001"}}, "wrong_mailing_type"},
      {{{"bmRecipientId", "john.smith@example.com"}, {"bmMailingId", "5002"}},
       "wrong_mailing_status"},
      {{{"bmRecipientId", "john.smith@example.com"}, {"bmMailingId", "5003"}}, "wrong_tag: 505"},
  };
  testing::ApplyShoeStore(env.store.provisioner(), 2);
  for (const TokenCase& c : cases) {
    Params p;
    for (const auto& [k, v] : c.params) p.Add(k, v);
    auth::RequestInfo info{Service::kForm, testing::kFormCode, "sendeventmail", "GET", "http",
                           "127.0.0.1"};
    Deps d = env.deps();
    Answer a = HandleRequest(info, p, d);
    ASSERT_TRUE(a.result.ok());
    EXPECT_EQ(a.result->Body(), c.body);
    EXPECT_FALSE(a.result->success) << c.body;
  }
  EXPECT_EQ(env.notifier.count, 0);  // nothing was enqueued
}

TEST_F(SendEventMailTest, StoreFailuresAreStatusesNotTokens) {
  env.errors.FailWrites(Status::Unavailable("database is locked"));
  Answer a = env.Form("sendeventmail", {{"bmRecipientId", "jane@example.com"}, {"bmMailingId", "5004"}});
  ASSERT_FALSE(a.result.ok());
  EXPECT_TRUE(a.result.status().IsUnavailable());
  EXPECT_EQ(env.notifier.count, 0);

  env.errors.Heal();
  env.errors.FailReads(Status::IOError("disk I/O error"));
  a = env.Form("sendeventmail", {{"bmRecipientId", "jane@example.com"}, {"bmMailingId", "5004"}});
  ASSERT_FALSE(a.result.ok());
  EXPECT_EQ(a.result.status().code(), Status::Code::kIOError);
}

TEST_F(SendEventMailTest, MailServiceTakesTheRecipientFromTheMailId) {
  Answer first = env.Form("sendeventmail",
                          {{"bmRecipientId", "john.smith@example.com"}, {"bmMailingId", "5004"}});
  std::string mail_id = first.result->detail;

  Answer a = env.Call(Service::kMail, mail_id, "sendeventmail", {{"bmMailingId", "5000"}});
  store::Mail mail = StoredMail(a);
  EXPECT_EQ(mail.recipient_id, "john.smith@example.com");
  EXPECT_EQ(mail.mailing_id, 5000);

  // The same recipient in another spelling is fine; another one is not.
  a = env.Call(Service::kMail, mail_id, "sendeventmail",
               {{"bmMailingId", "5000"}, {"bmRecipientId", "JOHN.smith@example.com"}});
  EXPECT_EQ(Body(a).substr(0, 10), "enqueued: ");
  a = env.Call(Service::kMail, mail_id, "sendeventmail",
               {{"bmMailingId", "5000"}, {"bmRecipientId", "jane@example.com"}});
  EXPECT_EQ(Body(a), "syntax_error");
  a = env.Call(Service::kMail, mail_id, "sendeventmail", {});
  EXPECT_EQ(Body(a), "missing_id");
  a = env.Call(Service::kMail, mail_id, "sendeventmail", {{"bmMailingId", "5003"}});
  EXPECT_EQ(Body(a), "wrong_tag: 505");
}

}  // namespace
}  // namespace campaignd::ops
