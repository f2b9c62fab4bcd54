// Confirmation mailings (subscribe with a confirmed or double opt-in): sent
// to pending recipients, with {bmOptInUrl} filled in; other mailings still
// treat a pending recipient as not in the list.
#include <gtest/gtest.h>

#include <cctype>

#include "core/mail_id.h"
#include "queue/processor.h"
#include "queue/queue_test_env.h"

namespace campaignd::queue {
namespace {

// Quoted-printable soft breaks and escapes undone (enough for ASCII text).
std::string DecodeQp(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '=' && i + 2 < s.size() && s[i + 1] == '\r' && s[i + 2] == '\n') {
      i += 2;
    } else if (s[i] == '=' && i + 2 < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

class ConfirmationMailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::ClientSpec spec = testing::ShoeStore();
    store::Mailing confirm;
    confirm.id = 5010;
    confirm.name = "confirm";
    confirm.type = store::MailingType::kConfirmation;
    confirm.status = store::MailingStatus::kSending;
    confirm.list_ids = {100};
    confirm.from = "shop@example.com";
    confirm.subject = "Please confirm";
    confirm.text = "Hello {firstname}, confirm here: {bmOptInUrl} .";
    spec.mailings.push_back(confirm);
    spec.optins = {
        {0, 3, "double", store::OptInKind::kDouble, 5010, "https://www.example.com/thanks?a=1"},
        {0, 4, "no url", store::OptInKind::kDouble, 5010, ""}};
    ASSERT_TRUE(env.store.provisioner().Apply({spec}).ok());
  }
  // Stores `id` pending for opt-in process `optin`.
  void Pending(const std::string& id, int64_t optin) {
    Status s = env.store.engine().recipients().Write(1, {id}, [&](store::RecipientWrites& w) {
      store::Recipient r{100, id, {{"firstname", "Pia"}}, store::RecipientState::kPending};
      r.optin_id = optin;
      return w.Put(r);
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  std::string MailIdOf(int64_t seq) {
    return MailId::Make(1, seq, std::string(testing::kSecret) + "1").ToString();
  }
  QueueTestEnv env;
};

TEST_F(ConfirmationMailTest, PendingRecipientGetsTheLinkWithTheConfirmationUrl) {
  Pending("pia@example.com", 3);
  int64_t seq = env.Enqueue("pia@example.com", 5010);
  auto o = env.processor.Process(env.Mail(seq));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->status, MailStatus::kSent);
  ASSERT_EQ(env.transport->deliveries().size(), 1u);
  std::string body = DecodeQp(env.transport->deliveries()[0].message);
  EXPECT_NE(
      body.find("Hello Pia, confirm here: https://campaign.example.net/http/mail/" + MailIdOf(seq) +
                "/subscribe?bmUrl=https%3A%2F%2Fwww.example.com%2Fthanks%3Fa%3D1 ."),
      std::string::npos)
      << body;
}

TEST_F(ConfirmationMailTest, WithoutAConfirmationUrlTheLinkHasNoBmUrl) {
  Pending("pia@example.com", 4);
  int64_t seq = env.Enqueue("pia@example.com", 5010);
  ASSERT_EQ(env.processor.Process(env.Mail(seq))->status, MailStatus::kSent);
  std::string body = DecodeQp(env.transport->deliveries().at(0).message);
  EXPECT_NE(body.find("/http/mail/" + MailIdOf(seq) + "/subscribe ."), std::string::npos) << body;
}

TEST_F(ConfirmationMailTest, EventMailingsToAPendingRecipientAreNotFound) {
  Pending("pia@example.com", 3);
  int64_t seq = env.Enqueue("pia@example.com", 5004);
  auto o = env.processor.Process(env.Mail(seq));
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->status, MailStatus::kNotFound);
  EXPECT_TRUE(env.transport->deliveries().empty());
}

TEST_F(ConfirmationMailTest, BmOptInUrlIsEmptyInOtherMailings) {
  store::ClientSpec spec = testing::ShoeStore();
  spec.mailings[4].text = "[{bmOptInUrl}]";  // 5004
  ASSERT_TRUE(env.store.provisioner().Apply({spec}).ok());
  ASSERT_EQ(env.processor.Process(env.Mail(env.Enqueue("jane@example.com", 5004)))->status,
            MailStatus::kSent);
  EXPECT_NE(DecodeQp(env.transport->deliveries().at(0).message).find("[]"), std::string::npos);
}

}  // namespace
}  // namespace campaignd::queue
