#include "ops/online_version.h"

#include <gtest/gtest.h>

#include "ops/ops_testutil.h"

namespace campaignd::ops {
namespace {

using auth::Service;
using std::chrono::seconds;

class OnlineVersionTest : public ::testing::Test {
 protected:
  // Marks every enqueued mail sent (as a worker would).
  void SendAll() {
    auto claimed = env.store.queue().Claim({"w", 100, 0, env.clock.Now(), seconds(60)});
    ASSERT_TRUE(claimed.ok());
    for (const store::Mail& m : *claimed) {
      store::Outcome o;
      o.mail_id = m.id;
      o.worker = "w";
      o.status = MailStatus::kSent;
      o.at = env.clock.Now();
      ASSERT_TRUE(env.store.queue().Record(o).ok());
    }
  }
  std::string Page(const Answer& a) {
    EXPECT_TRUE(a.result.ok() && !a.result->page.empty()) << Body(a);
    return a.result.ok() ? a.result->page : "";
  }
  Answer Form(std::initializer_list<std::pair<std::string, std::string>> params,
              const char* code = testing::kFormCode) {
    return env.Request(Service::kForm, code, "onlineversion", params);
  }
  TransactionTestEnv env;
};

TEST_F(OnlineVersionTest, ByMailingIdPersonalizedAndEscaped) {
  store::ClientSpec spec = testing::ShoeStore(1);
  spec.client.attachments = true;
  spec.recipients.push_back({100, "evil@example.com", {{"firstname", "<b>&</b>"}}});
  ASSERT_TRUE(env.store.provisioner().Apply({spec}).ok());
  Answer a = Form({{"bmRecipientId", "John.Smith@example.com"}, {"bmMailingId", "5004"}});
  EXPECT_EQ(Page(a), "<p>Hello John, your order is on its way.</p>");
  EXPECT_TRUE(a.result->success);
  Answer evil = Form({{"bmRecipientId", "evil@example.com"}, {"bmMailingId", "5004"}});
  EXPECT_EQ(Page(evil), "<p>Hello &lt;b&gt;&amp;&lt;/b&gt;, your order is on its way.</p>");
}

TEST_F(OnlineVersionTest, ATextOnlyMailingIsAPreformattedPage) {
  store::ClientSpec spec = testing::ShoeStore(1);
  spec.client.attachments = true;
  for (store::Mailing& m : spec.mailings) {
    if (m.id == 5004) m.html.clear();
  }
  ASSERT_TRUE(env.store.provisioner().Apply({spec}).ok());
  std::string page = Page(Form({{"bmRecipientId", "jane@example.com"}, {"bmMailingId", "5004"}}));
  EXPECT_NE(page.find("<title>Thank you, Jane</title>"), std::string::npos) << page;
  EXPECT_NE(page.find("<pre>Hello Jane, your order is on its way.</pre>"), std::string::npos);
}

TEST_F(OnlineVersionTest, ByPatternTheNewestMatchWins) {
  // Fixture mailings on list 100 are named mailing-5000, -5001, -5002, -5004.
  std::string page = Page(Form({{"bmRecipientId", "jane@example.com"}, {"bmPattern", "mailing-500?"}}));
  EXPECT_EQ(page, "<p>Hello Jane, your order is on its way.</p>");
  EXPECT_EQ(Body(Form({{"bmRecipientId", "jane@example.com"}, {"bmPattern", "news*"}})),
            "not_found");
  EXPECT_EQ(Body(Form({{"bmRecipientId", "jane@example.com"}, {"bmPattern", "mailing-5003"}})),
            "not_found")
      << "a mailing of another list does not match";
}

TEST_F(OnlineVersionTest, WithoutAChoiceTheLatestMailingSentToTheRecipient) {
  EXPECT_EQ(Body(Form({{"bmRecipientId", "jane@example.com"}})), "not_found") << "none sent yet";
  env.Request(Service::kForm, testing::kFormCode, "sendeventmail",
              {{"bmRecipientId", "jane@example.com"}, {"bmMailingId", "5004"}});
  EXPECT_EQ(Body(Form({{"bmRecipientId", "jane@example.com"}})), "not_found") << "not sent yet";
  SendAll();
  Answer a = Form({{"bmRecipientId", "jane@example.com"}});
  EXPECT_EQ(Page(a), "<p>Hello Jane, your order is on its way.</p>");
}

TEST_F(OnlineVersionTest, MailServiceShowsTheMailsOwnMailingWithItsLinks) {
  store::ClientSpec spec = testing::ShoeStore(1);
  spec.client.attachments = true;
  for (store::Mailing& m : spec.mailings) {
    if (m.id == 5004) m.html = "<a href=\"{bmUnsubscribeUrl}\">{bmMailId}</a> {bmRecipientId}";
  }
  ASSERT_TRUE(env.store.provisioner().Apply({spec}).ok());
  Answer sent = env.Request(Service::kForm, testing::kFormCode, "sendeventmail",
                            {{"bmRecipientId", "jane@example.com"}, {"bmMailingId", "5004"}});
  const std::string mail_id = sent.result->detail;
  Answer a = env.Request(Service::kMail, mail_id, "onlineversion", {});
  EXPECT_EQ(Page(a), "<a href=\"https://campaign.example.net/http/mail/" + mail_id +
                         "/unsubscribe\">" + mail_id + "</a> jane@example.com");
  EXPECT_EQ(Body(env.Request(Service::kMail, mail_id, "onlineversion",
                             {{"bmRecipientId", "john.smith@example.com"}})),
            "syntax_error")
      << "another recipient than the mail's";
}

TEST_F(OnlineVersionTest, TransactionListsUseTheRecipientsNewestMail) {
  env.Tx("sendtransactionmail", {{"bmRecipientId", "anna@example.com"},
                                 {"bmMailingId", "5005"},
                                 {"firstname", "Anna"},
                                 {"orders", "7"}});
  Answer a = env.Request(Service::kForm, kTxCode, "onlineversion",
                         {{"bmRecipientId", "anna@example.com"}, {"bmMailingId", "5005"}});
  EXPECT_EQ(Page(a), "<p>Hello Anna, order 7.</p>");
  Answer sent = env.Tx("sendtransactionmail", {{"bmRecipientId", "anna@example.com"},
                                               {"bmMailingId", "5005"},
                                               {"firstname", "Anna"},
                                               {"orders", "8"}});
  Answer mail = env.Request(Service::kMail, sent.result->detail, "onlineversion", {});
  EXPECT_EQ(Page(mail), "<p>Hello Anna, order 8.</p>");
  EXPECT_EQ(Body(env.Request(Service::kForm, kTxCode, "onlineversion",
                             {{"bmRecipientId", "nobody@example.com"}, {"bmMailingId", "5005"}})),
            "not_found");
}

TEST_F(OnlineVersionTest, Tokens) {
  EXPECT_EQ(Body(Form({{"bmMailingId", "5004"}})), "missing_id");
  EXPECT_EQ(Body(Form({{"bmRecipientId", "no address"}, {"bmMailingId", "5004"}})),
            "syntax_error");
  EXPECT_EQ(Body(Form({{"bmRecipientId", "nobody@example.com"}, {"bmMailingId", "5004"}})),
            "not_found");
  EXPECT_EQ(Body(Form({{"bmRecipientId", "jane@example.com"}, {"bmMailingId", "4711"}})),
            "not_found");
  EXPECT_EQ(Body(Form({{"bmRecipientId", "jane@example.com"}, {"bmMailingId", "x"}})),
            "not_found");
  EXPECT_EQ(Body(Form({{"bmRecipientId", "jane@example.com"}, {"bmMailingId", "5003"}})),
            "wrong_tag: 505");
  env.errors.FailReads(Status::Unavailable("down"));
  EXPECT_TRUE(Form({{"bmRecipientId", "jane@example.com"}, {"bmMailingId", "5004"}})
                  .result.status()
                  .IsUnavailable());
}

}  // namespace
}  // namespace campaignd::ops
