#include "ops/send_transaction_mail.h"

#include <gtest/gtest.h>

#include "ops/ops_testutil.h"

namespace campaignd::ops {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

class SendTransactionMailTest : public ::testing::Test {
 protected:
  // Uploads one file and returns the token.
  std::string Upload() {
    Answer a = env.Tx("uploadpersonalizedattachments", {}, {File("Invoice.pdf", "%PDF-1")});
    EXPECT_EQ(a.result.ok() ? a.result->token : Token::kSystemError, Token::kOk) << Body(a);
    return a.result.ok() ? a.result->detail : "";
  }
  TransactionTestEnv env;
};

TEST_F(SendTransactionMailTest, StoresANewRecordPerCallFromTheFieldParameters) {
  Answer a = env.Tx("sendtransactionmail", {{"bmRecipientId", "Anna@Example.com"},
                                            {"bmMailingId", "5005"},
                                            {"FirstName", "Änna"},
                                            {"orders", "12"},
                                            {"unknown", "ignored"}});
  store::Mail mail = env.StoredMail(a);
  EXPECT_EQ(mail.recipient_id, "anna@example.com");
  EXPECT_EQ(mail.list_id, 300);
  EXPECT_EQ(mail.mailing_id, 5005);
  EXPECT_EQ(mail.fields, (FieldValues{{"firstname", "Änna"}, {"orders", "12"}}));
  EXPECT_EQ(env.notifier.count, 1);

  Answer b = env.Tx("sendtransactionmail", {{"bmRecipientId", "anna@example.com"},
                                            {"bmMailingId", "5005"},
                                            {"firstname", "Anna"}});
  store::Mail second = env.StoredMail(b);
  EXPECT_NE(second.id, mail.id);
  EXPECT_EQ(second.fields, (FieldValues{{"firstname", "Anna"}})) << "its own record, not merged";
  EXPECT_EQ(env.StoredMail(a).fields.at("firstname"), "Änna") << "the first is unchanged";
}

TEST_F(SendTransactionMailTest, OnlyOnTransactionLists) {
  Answer a = env.Request(auth::Service::kForm, testing::kFormCode, "sendtransactionmail",
                         {{"bmRecipientId", "a@example.com"}, {"bmMailingId", "5004"}});
  EXPECT_EQ(Body(a), "wrong_tag: 505");
  Answer no_params = env.Request(auth::Service::kForm, testing::kFormCode, "sendtransactionmail", {});
  EXPECT_EQ(Body(no_params), "wrong_tag: 505") << "the list is checked first";
}

TEST_F(SendTransactionMailTest, NotInTheMailService) {
  Answer sent = env.Tx("sendtransactionmail", {{"bmRecipientId", "a@example.com"},
                                               {"bmMailingId", "5005"}});
  const std::string mail_id = sent.result->detail;
  Answer a = env.Request(auth::Service::kMail, mail_id, "sendtransactionmail",
                         {{"bmMailingId", "5005"}});
  EXPECT_EQ(Body(a), "wrong_tag: 506");
}

TEST_F(SendTransactionMailTest, TokensInOrderOfPrecedence) {
  EXPECT_EQ(Body(env.Tx("sendtransactionmail", {{"bmRecipientId", "a@example.com"}})),
            "missing_id");
  EXPECT_EQ(Body(env.Tx("sendtransactionmail", {{"bmMailingId", "5005"}})), "missing_id");
  EXPECT_EQ(Body(env.Tx("sendtransactionmail", {{"bmRecipientId", "not an address"},
                                                {"bmMailingId", "5005"}})),
            "syntax_error");
  EXPECT_EQ(Body(env.Tx("sendtransactionmail", {{"bmRecipientId", "a@example.com"},
                                                {"bmMailingId", "5005"},
                                                {"orders", "twelve"}})),
            "syntax_error")
      << "a value that does not fit its field's type";
  EXPECT_EQ(Body(env.Tx("sendtransactionmail", {{"bmRecipientId", "a@example.com"},
                                                {"bmMailingId", "999"}})),
            "not_found");
  EXPECT_EQ(Body(env.Tx("sendtransactionmail", {{"bmRecipientId", "a@example.com"},
                                                {"bmMailingId", "5001"}})),
            "wrong_mailing_type");
  EXPECT_EQ(Body(env.Tx("sendtransactionmail", {{"bmRecipientId", "a@example.com"},
                                                {"bmMailingId", "5002"}})),
            "wrong_mailing_status");
  EXPECT_EQ(Body(env.Tx("sendtransactionmail", {{"bmRecipientId", "a@example.com"},
                                                {"bmMailingId", "5004"}})),
            "wrong_tag: 505")
      << "an event mailing of another list";
  EXPECT_EQ(env.notifier.count, 0);
}

TEST_F(SendTransactionMailTest, SuppressedAddressesAreRefusedAtRequestTime) {
  store::ClientSpec spec = testing::ShoeStore(1);
  spec.client.attachments = true;
  spec.blocklist = {{"*@blocked.example", "test"}};
  spec.bounces = {{"bouncy@example.com", 3}};
  spec.recipients.push_back({300, "gone@example.com", {}, store::RecipientState::kUnsubscribed});
  ASSERT_TRUE(env.store.provisioner().Apply({spec}).ok());
  auto send = [&](const char* to) {
    return Body(env.Tx("sendtransactionmail", {{"bmRecipientId", to}, {"bmMailingId", "5005"}}));
  };
  EXPECT_EQ(send("x@blocked.example"), "blacklisted");
  EXPECT_EQ(send("gone@example.com"), "unsubscribed");
  EXPECT_EQ(send("bouncy@example.com"), "too_many_bounces");
  EXPECT_EQ(send("fine@example.com").substr(0, 10), "enqueued: ");
  EXPECT_EQ(Body(env.Tx("sendtransactionmail", {{"bmRecipientId", "x@blocked.example"},
                                                {"bmMailingId", "5005"},
                                                {"bmPersonalizedAttachmentsToken", "bad"}})),
            "blacklisted")
      << "suppression comes before the token";
}

TEST_F(SendTransactionMailTest, AnAttachmentTokenIsCarriedAsItsHash) {
  const std::string token = Upload();
  Answer a = env.Tx("sendtransactionmail", {{"bmRecipientId", "a@example.com"},
                                            {"bmMailingId", "5005"},
                                            {"bmPersonalizedAttachmentsToken", token}});
  store::Mail mail = env.StoredMail(a);
  EXPECT_EQ(mail.fields.at(std::string(store::kAttachmentsField)), auth::HashCode(token));
  EXPECT_EQ(mail.fields.size(), 1u);
}

TEST_F(SendTransactionMailTest, UnknownOrExpiredTokensAreVetoed) {
  const std::string token = Upload();
  auto send = [&](const std::string& t) {
    return Body(env.Tx("sendtransactionmail", {{"bmRecipientId", "a@example.com"},
                                               {"bmMailingId", "5005"},
                                               {"bmPersonalizedAttachmentsToken", t}}));
  };
  EXPECT_EQ(send("no-such-token"), "vetoed");
  EXPECT_EQ(send(token + "x"), "vetoed");
  env.clock.Advance(hours(24) - seconds(1));
  EXPECT_EQ(send(token).substr(0, 10), "enqueued: ");
  env.clock.Advance(seconds(1));
  EXPECT_EQ(send(token), "vetoed");
}

TEST_F(SendTransactionMailTest, StoreFailuresAreAStatus) {
  env.errors.FailWrites(Status::Unavailable("disk full"));
  Answer a = env.Tx("sendtransactionmail", {{"bmRecipientId", "a@example.com"},
                                            {"bmMailingId", "5005"}});
  ASSERT_FALSE(a.result.ok());
  EXPECT_TRUE(a.result.status().IsUnavailable());
  env.errors.Heal();
  env.errors.FailReads(Status::IOError("broken"));
  EXPECT_FALSE(env.Tx("sendtransactionmail", {{"bmRecipientId", "a@example.com"},
                                              {"bmMailingId", "5005"}})
                   .result.ok());
}

}  // namespace
}  // namespace campaignd::ops
