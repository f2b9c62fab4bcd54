// Transaction mails in the processor: the mail's field snapshot is the
// recipient (no record in the list), and its upload's files are attached -
// or the mail is vetoed when the upload expired or vanished
// (docs/decisions/0011-transaction-mail-and-attachments.md).
#include <gtest/gtest.h>

#include "queue/queue_test_env.h"

namespace campaignd::queue {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

const std::string kPdf("%PDF-1.4\0\xff\xfe\r\n.end", 17);

class TransactionMailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::ClientSpec spec = testing::ShoeStore(1);
    spec.client.attachments = true;
    store::Mailing tx = spec.mailings.front();
    tx.id = 5005;
    tx.list_ids = {300};
    tx.target_group.clear();
    tx.subject = "Order for {firstname|you}";
    tx.text = "Hello {firstname|customer}.";
    tx.html.clear();
    spec.mailings.push_back(tx);
    ASSERT_TRUE(env.store.provisioner().Apply({spec}).ok());
  }
  int64_t EnqueueTx(FieldValues fields) {
    store::NewMail m{1, 300, 5005, "anna@example.com", std::move(fields), env.clock.Now()};
    return *env.store.queue().Enqueue(m);
  }
  std::string Upload(TimePoint at) {
    const std::string key(64, 'c');
    store::NewUpload u{1, key, at, at + hours(24),
                       {{"Invoice_Anna.pdf", "application/pdf", kPdf}}};
    EXPECT_TRUE(env.store.engine().attachments().StoreUpload(u).ok());
    return key;
  }
  store::Outcome Process(int64_t seq) {
    auto o = env.processor.Process(env.Mail(seq));
    EXPECT_TRUE(o.ok()) << o.status().ToString();
    return o.ok() ? *o : store::Outcome{};
  }
  QueueTestEnv env;
};

TEST_F(TransactionMailTest, TheSnapshotIsTheRecipientEvenWhenEmpty) {
  store::Outcome o = Process(EnqueueTx({}));
  EXPECT_EQ(o.status, MailStatus::kSent) << o.reply;
  ASSERT_EQ(env.transport->deliveries().size(), 1u);
  EXPECT_NE(env.transport->deliveries()[0].message.find("Hello customer."), std::string::npos);

  store::Outcome named = Process(EnqueueTx({{"firstname", "Anna"}}));
  EXPECT_EQ(named.status, MailStatus::kSent);
  EXPECT_NE(env.transport->deliveries()[1].message.find("Hello Anna."), std::string::npos);
}

TEST_F(TransactionMailTest, TheUploadsFilesAreAttached) {
  const std::string key = Upload(env.clock.Now());
  store::Outcome o = Process(EnqueueTx({{"firstname", "Anna"},
                                        {std::string(store::kAttachmentsField), key}}));
  EXPECT_EQ(o.status, MailStatus::kSent) << o.reply;
  ASSERT_EQ(env.transport->deliveries().size(), 1u);
  const std::string message = env.transport->deliveries()[0].message;
  EXPECT_NE(message.find("multipart/mixed"), std::string::npos);
  EXPECT_NE(message.find("Content-Type: application/pdf"), std::string::npos) << message;
  EXPECT_NE(message.find("filename=\"Invoice_Anna.pdf\""), std::string::npos) << message;
  EXPECT_NE(message.find("JVBERi0xLjQA//4NCi5lbmQ="), std::string::npos) << "the bytes, base64";
  EXPECT_EQ(message.find(key), std::string::npos) << "the key is no field of the message";
}

TEST_F(TransactionMailTest, AnUploadThatExpiredOrVanishedIsVetoed) {
  const std::string key = Upload(env.clock.Now());
  const int64_t late = EnqueueTx({{std::string(store::kAttachmentsField), key}});
  const int64_t unknown = EnqueueTx({{std::string(store::kAttachmentsField),
                                      std::string(64, 'd')}});
  env.clock.Advance(hours(24));
  store::Outcome o = Process(late);
  EXPECT_EQ(o.status, MailStatus::kVetoed);
  EXPECT_FALSE(o.attempted);
  EXPECT_EQ(Process(unknown).status, MailStatus::kVetoed);
  EXPECT_TRUE(env.transport->deliveries().empty());
}

}  // namespace
}  // namespace campaignd::queue
