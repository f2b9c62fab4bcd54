#include "ops/get_send_status.h"

#include <gtest/gtest.h>

#include "core/mail_id.h"
#include "ops/ops_testutil.h"

namespace campaignd::ops {
namespace {

class GetSendStatusTest : public ::testing::Test {
 protected:
  std::string Enqueue(const char* code = testing::kFormCode, const char* mailing = "5004") {
    Answer a = env.Form("sendeventmail",
                        {{"bmRecipientId", "jane@example.com"}, {"bmMailingId", mailing}}, code);
    EXPECT_EQ(Body(a).substr(0, 10), "enqueued: ");
    return a.result->detail;
  }
  std::string Status(const std::string& mail_id, const char* code = testing::kFormCode) {
    return Body(env.Form("getsendstatus", {{"bmMailId", mail_id}}, code));
  }
  int64_t Sequence(const std::string& mail_id) { return MailId::Parse(mail_id)->sequence(); }

  OpsTestEnv env;
};

TEST_F(GetSendStatusTest, NewMailIsEnqueued) {
  std::string id = Enqueue();
  EXPECT_EQ(Status(id), "enqueued");
  // Mail IDs are case-insensitive.
  std::string lower = id;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(Status(lower), "enqueued");
}

TEST_F(GetSendStatusTest, ReportsEveryStoredStatus) {
  const MailStatus finals[] = {MailStatus::kSent,         MailStatus::kCouldNotBeSent,
                               MailStatus::kBlacklisted,  MailStatus::kUnsubscribed,
                               MailStatus::kTooManyBounces, MailStatus::kFiltered,
                               MailStatus::kNotFound,     MailStatus::kWrongMailingStatus,
                               MailStatus::kVetoed};
  for (MailStatus final_status : finals) {
    std::string id = Enqueue();
    auto claimed = env.store.queue().Claim({"w1", 10, 10, env.clock.Now(), std::chrono::seconds(60)});
    ASSERT_TRUE(claimed.ok());
    ASSERT_EQ(claimed->size(), 1u);
    EXPECT_EQ(Status(id), "enqueued") << "claimed, not attempted: not sending yet";
    store::Outcome o;
    o.mail_id = Sequence(id);
    o.worker = "w1";
    o.status = final_status;
    o.at = env.clock.Now();
    ASSERT_TRUE(env.store.queue().Record(o).ok());
    Answer a = env.Form("getsendstatus", {{"bmMailId", id}});
    ASSERT_TRUE(a.result.ok());
    EXPECT_EQ(a.result->Body(), MailStatusName(final_status));
    EXPECT_TRUE(a.result->success);  // a status answer is a successful operation
  }
}

TEST_F(GetSendStatusTest, RefusesWhatItCannotTrust) {
  std::string id = Enqueue();
  EXPECT_EQ(Status(""), "missing_id");
  EXPECT_EQ(Body(env.Form("getsendstatus", {})), "missing_id");
  EXPECT_EQ(Status("garbage"), "syntax_error");
  EXPECT_EQ(Status(id + "X"), "syntax_error");
  // Forged: right shape, MAC under another secret.
  EXPECT_EQ(Status(MailId::Make(1, Sequence(id), "another secret").ToString()), "syntax_error");
  // Altered: another sequence with the original MAC.
  std::string mac = id.substr(id.rfind('-'));
  std::string altered = MailId::Make(1, Sequence(id) + 1, "x").ToString();
  altered = altered.substr(0, altered.rfind('-')) + mac;
  EXPECT_EQ(Status(altered), "syntax_error");
  // Another client's genuine mail ID is not this client's to ask about.
  testing::ApplyShoeStore(env.store.provisioner(), 2);
  std::string other = Enqueue(testing::CodeFor(testing::kFormCode, 2).c_str(), "15004");
  EXPECT_EQ(Status(other), "syntax_error");
  EXPECT_EQ(Status(other, testing::CodeFor(testing::kFormCode, 2).c_str()), "enqueued");
}

TEST_F(GetSendStatusTest, MailOfAnotherListIsWrongTag505) {
  std::string id = Enqueue(testing::kList200Code, "5003");
  EXPECT_EQ(Status(id, testing::kList200Code), "enqueued");
  EXPECT_EQ(Status(id), "wrong_tag: 505");
}

TEST_F(GetSendStatusTest, PastRetentionOrGoneIsEnqueued) {
  std::string id = Enqueue();
  auto claimed = env.store.queue().Claim({"w1", 10, 10, env.clock.Now(), std::chrono::seconds(60)});
  ASSERT_EQ(claimed->size(), 1u);
  store::Outcome o;
  o.mail_id = Sequence(id);
  o.worker = "w1";
  o.status = MailStatus::kSent;
  o.at = env.clock.Now();
  ASSERT_TRUE(env.store.queue().Record(o).ok());
  env.clock.Advance(limits::kStatusRetention - std::chrono::minutes(1));
  EXPECT_EQ(Status(id), "sent");
  env.clock.Advance(std::chrono::minutes(2));
  EXPECT_EQ(Status(id), "enqueued");
  // A genuine ID whose mail is not stored (purged) is "enqueued" too.
  EXPECT_EQ(Status(MailId::Make(1, 987654, std::string(testing::kSecret) + "1").ToString()),
            "enqueued");
}

TEST_F(GetSendStatusTest, StoreFailureIsAStatus) {
  std::string id = Enqueue();
  env.errors.FailReads(Status::Unavailable("locked"));
  Answer a = env.Form("getsendstatus", {{"bmMailId", id}});
  ASSERT_FALSE(a.result.ok());
  EXPECT_TRUE(a.result.status().IsUnavailable());
}

}  // namespace
}  // namespace campaignd::ops

namespace campaignd::ops {
namespace {

// A transaction mail whose upload vanished before it was delivered is
// vetoed by the processor (queue/transaction_mail_test.cc); getsendstatus
// answers it on the transaction list's code only.
TEST(GetSendStatusTransactionTest, VetoedTransactionMailOnItsOwnList) {
  TransactionTestEnv env;
  Answer upload = env.Tx("uploadpersonalizedattachments", {}, {File("a.pdf", "x")});
  Answer sent = env.Tx("sendtransactionmail", {{"bmRecipientId", "a@example.com"},
                                               {"bmMailingId", "5005"},
                                               {"bmPersonalizedAttachmentsToken",
                                                upload.result->detail}});
  const std::string mail_id = sent.result->detail;
  auto status = [&](const char* code) {
    return Body(env.Request(auth::Service::kForm, code, "getsendstatus", {{"bmMailId", mail_id}}));
  };
  EXPECT_EQ(status(kTxCode), "enqueued");
  auto claimed = env.store.queue().Claim({"w1", 10, 10, env.clock.Now(), std::chrono::seconds(60)});
  ASSERT_TRUE(claimed.ok() && claimed->size() == 1u);
  store::Outcome o;
  o.mail_id = MailId::Parse(mail_id)->sequence();
  o.worker = "w1";
  o.status = MailStatus::kVetoed;
  o.reply = "attachments expired or removed before sending";
  o.at = env.clock.Now();
  ASSERT_TRUE(env.store.queue().Record(o).ok());
  EXPECT_EQ(status(kTxCode), "vetoed");
  EXPECT_EQ(status(testing::kFormCode), "wrong_tag: 505");
}

}  // namespace
}  // namespace campaignd::ops
