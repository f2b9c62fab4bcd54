#include "queue/processor.h"

#include <gtest/gtest.h>

#include "core/mail_id.h"
#include "queue/queue_test_env.h"

namespace campaignd::queue {
namespace {

class ProcessorTest : public ::testing::Test {
 protected:
  store::Outcome Process(int64_t seq) {
    auto o = env.processor.Process(env.Mail(seq));
    EXPECT_TRUE(o.ok()) << o.status().ToString();
    return *o;
  }
  // Applies a change to the fixture client.
  void Change(const std::function<void(store::ClientSpec&)>& edit) {
    store::ClientSpec spec = testing::ShoeStore();
    edit(spec);
    ASSERT_TRUE(env.store.provisioner().Apply({spec}).ok());
  }
  QueueTestEnv env;
};

TEST_F(ProcessorTest, SendsAPersonalizedMessageToTheClientsTransport) {
  int64_t seq = env.Enqueue("john.smith@example.com", 5000);
  store::Outcome o = Process(seq);
  EXPECT_EQ(o.status, MailStatus::kSent);
  EXPECT_TRUE(o.attempted);
  EXPECT_EQ(o.reply, "250 2.0.0 Ok: queued");
  ASSERT_EQ(env.transport->deliveries().size(), 1u);
  const auto d = env.transport->deliveries()[0];
  std::string mail_id = MailId::Make(1, seq, std::string(testing::kSecret) + "1").ToString();
  EXPECT_EQ(d.envelope.rcpt_to, "john.smith@example.com");
  EXPECT_EQ(d.envelope.mail_from, "shop@example.com");
  EXPECT_EQ(d.envelope.mail_id, mail_id);
  EXPECT_NE(d.message.find("Subject: Thank you, John\r\n"), std::string::npos);
  EXPECT_NE(d.message.find("Hello John, your order"), std::string::npos);
  EXPECT_NE(d.message.find("Message-ID: <" + mail_id + "@example.com>"), std::string::npos);
  EXPECT_NE(d.message.find("https://campaign.example.net/http/mail/" + mail_id + "/unsubscribe"),
            std::string::npos);
  EXPECT_NE(d.message.find("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"),
            std::string::npos);
  EXPECT_EQ(d.message.find("DKIM-Signature"), std::string::npos);  // no key configured
  EXPECT_EQ(env.opened_urls, std::vector<std::string>{"file:outbox"});
}

TEST_F(ProcessorTest, WithABounceDomainTheEnvelopeSenderIsTheVerpReturnPath) {
  Change([](store::ClientSpec& s) { s.client.bounce_domain = "bounce.shop.example"; });
  int64_t seq = env.Enqueue("john.smith@example.com", 5000);
  EXPECT_EQ(Process(seq).status, MailStatus::kSent);
  ASSERT_EQ(env.transport->deliveries().size(), 1u);
  const auto d = env.transport->deliveries()[0];
  std::string mail_id = MailId::Make(1, seq, std::string(testing::kSecret) + "1").ToString();
  EXPECT_EQ(d.envelope.mail_from, "bounces+" + mail_id + "@bounce.shop.example");
  // The header fallback of an inbound bounce finds the mail by these too.
  EXPECT_NE(d.message.find("X-Campaignd-Mail-Id: " + mail_id + "\r\n"), std::string::npos);
  EXPECT_NE(d.message.find("Message-ID: <" + mail_id + "@example.com>"), std::string::npos);
}

TEST_F(ProcessorTest, SignsWithTheAlignedDkimKey) {
  Change([](store::ClientSpec& s) {
    s.dkim_keys = {{"example.com", "s1", "ed25519-sha256", NewEd25519Pem()},
                   {"other.org", "s2", "ed25519-sha256", NewEd25519Pem()}};
  });
  Process(env.Enqueue("john.smith@example.com", 5004));
  const std::string msg = env.transport->deliveries().at(0).message;
  ASSERT_EQ(msg.rfind("DKIM-Signature:", 0), 0u) << msg.substr(0, 200);
  EXPECT_NE(msg.find("d=example.com"), std::string::npos);
  EXPECT_NE(msg.find("s=s1"), std::string::npos);
  EXPECT_EQ(msg.find("s=s2"), std::string::npos);
}

TEST_F(ProcessorTest, JudgesTheRecipientWhenProcessed) {
  Change([](store::ClientSpec& s) {
    s.blocklist = {{"*@blocked.example", "test"}};
    s.recipients.push_back({100, "gone@example.com", {}, store::RecipientState::kUnsubscribed});
    s.recipients.push_back({100, "x@blocked.example", {}, store::RecipientState::kActive});
    s.recipients.push_back({100, "bouncy@example.com", {}, store::RecipientState::kActive});
    s.bounces = {{"bouncy@example.com", 3}};
  });
  EXPECT_EQ(Process(env.Enqueue("nobody@example.com")).status, MailStatus::kNotFound);
  EXPECT_EQ(Process(env.Enqueue("x@blocked.example")).status, MailStatus::kBlacklisted);
  EXPECT_EQ(Process(env.Enqueue("gone@example.com")).status, MailStatus::kUnsubscribed);
  EXPECT_EQ(Process(env.Enqueue("bouncy@example.com")).status, MailStatus::kTooManyBounces);
  // jane has 0 orders; mailing 5000 targets "orders >= 1".
  store::Outcome filtered = Process(env.Enqueue("jane@example.com", 5000));
  EXPECT_EQ(filtered.status, MailStatus::kFiltered);
  EXPECT_FALSE(filtered.attempted);
  EXPECT_TRUE(env.transport->deliveries().empty());
}

TEST_F(ProcessorTest, MailingStoppedAfterEnqueueIsWrongMailingStatus) {
  int64_t seq = env.Enqueue("john.smith@example.com", 5004);
  Change([](store::ClientSpec& s) {
    for (auto& m : s.mailings) {
      if (m.id == 5004) m.status = store::MailingStatus::kCanceled;
    }
  });
  EXPECT_EQ(Process(seq).status, MailStatus::kWrongMailingStatus);
}

TEST_F(ProcessorTest, PermanentFailureCountsAHardBounce) {
  env.transport->Script({{deliver::DeliveryKind::kPermanentFailure, 550, "550 5.1.1 unknown"}});
  store::Outcome o = Process(env.Enqueue("john.smith@example.com", 5004));
  EXPECT_EQ(o.status, MailStatus::kCouldNotBeSent);
  EXPECT_TRUE(o.hard_bounce);
  EXPECT_EQ(o.reply, "550 5.1.1 unknown");
}

TEST_F(ProcessorTest, UnrenderableMailIsCouldNotBeSentWithoutAnAttempt) {
  Change([](store::ClientSpec& s) {
    for (auto& m : s.mailings) {
      if (m.id == 5004) m.from = "{firstname}";  // renders to "John": not an address
    }
  });
  store::Outcome o = Process(env.Enqueue("john.smith@example.com", 5004));
  EXPECT_EQ(o.status, MailStatus::kCouldNotBeSent);
  EXPECT_FALSE(o.attempted);
  EXPECT_EQ(o.reply.rfind("cannot render: ", 0), 0u) << o.reply;
  EXPECT_TRUE(env.transport->deliveries().empty());
}

TEST_F(ProcessorTest, BadTransportUrlIsRetriedNotLost) {
  QueueTestEnv env2;  // its opener works; use a processor whose opener fails
  Processor failing(env2.store.directory(), env2.store.engine().recipients(),
                    env2.store.engine().coordination(), env2.clock,
                    QueueTestEnv::Options(),
                    [](std::string_view, const deliver::TransportOptions&)
                        -> Result<std::unique_ptr<deliver::Transport>> {
                      return Status::InvalidArgument("unknown scheme");
                    });
  auto o = failing.Process(env2.Mail(env2.Enqueue("john.smith@example.com", 5004)));
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->status, MailStatus::kSending);
  EXPECT_EQ(o->reply, "transport: unknown scheme");
  EXPECT_GT(o->retry_at, env2.clock.Now());
}

}  // namespace
}  // namespace campaignd::queue
