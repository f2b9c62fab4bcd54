// Attachments and MailingLookup, on the engine the environment names
// (store_testutil.h).
#include "store/attachments.h"

#include <gtest/gtest.h>

#include "store/store_testutil.h"
#include "store/mailing_lookup.h"

namespace campaignd::store {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

const TimePoint kT0 = FromUnixMillis(1'700'000'000'000);

std::string Key(char c) { return std::string(64, c); }

NewUpload Upload(int64_t client_id, std::string key, TimePoint at) {
  return NewUpload{client_id, std::move(key), at, at + hours(24),
                   {{"Invoice.pdf", "application/pdf", std::string("%PDF-1.4\0\xff\r\n", 12)},
                    {"notes.txt", "text/plain; charset=utf-8", "Grüße"}}};
}

class AttachmentsTest : public EngineTest {
 protected:
  Attachments& attachments() { return engine_->attachments(); }
  MailingLookup& lookup() { return engine_->mailing_lookup(); }
};

TEST_F(AttachmentsTest, StoredFilesComeBackByteForByteInOrder) {
  ASSERT_TRUE(attachments().StoreUpload(Upload(1, Key('a'), kT0)).ok());
  auto files = attachments().FindUpload(1, Key('a'), kT0 + seconds(1));
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_TRUE(files->has_value());
  ASSERT_EQ((*files)->size(), 2u);
  EXPECT_EQ((**files)[0].file_name, "Invoice.pdf");
  EXPECT_EQ((**files)[0].content_type, "application/pdf");
  EXPECT_EQ((**files)[0].data, std::string("%PDF-1.4\0\xff\r\n", 12));
  EXPECT_EQ((**files)[1].file_name, "notes.txt");
  EXPECT_EQ((**files)[1].data, "Grüße");
  EXPECT_TRUE(*attachments().UploadUsable(1, Key('a'), kT0 + seconds(1)));
}

TEST_F(AttachmentsTest, AnotherClientsOrAnUnknownKeyFindsNothing) {
  ASSERT_TRUE(attachments().StoreUpload(Upload(1, Key('a'), kT0)).ok());
  EXPECT_FALSE(attachments().FindUpload(2, Key('a'), kT0)->has_value());
  EXPECT_FALSE(*attachments().UploadUsable(2, Key('a'), kT0));
  EXPECT_FALSE(attachments().FindUpload(1, Key('b'), kT0)->has_value());
  EXPECT_FALSE(*attachments().UploadUsable(1, Key('b'), kT0));
}

TEST_F(AttachmentsTest, ExpiredUploadsAreUnusableAndPurgedByTheNextUpload) {
  ASSERT_TRUE(attachments().StoreUpload(Upload(1, Key('a'), kT0)).ok());
  const TimePoint expiry = kT0 + hours(24);
  EXPECT_TRUE(*attachments().UploadUsable(1, Key('a'), expiry - seconds(1)));
  EXPECT_FALSE(*attachments().UploadUsable(1, Key('a'), expiry));
  EXPECT_FALSE(attachments().FindUpload(1, Key('a'), expiry)->has_value());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM upload_files"), 2);

  // Another client's upload after the expiry purges client 1's rows.
  ASSERT_TRUE(attachments().StoreUpload(Upload(2, Key('b'), expiry)).ok());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM uploads"), 1);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM upload_files"), 2);
  EXPECT_FALSE(attachments().FindUpload(1, Key('a'), kT0)->has_value()) << "gone for good";
  EXPECT_TRUE(attachments().FindUpload(2, Key('b'), expiry)->has_value());
}

TEST_F(AttachmentsTest, RefusesAnEmptyUploadAndADuplicateKeyAtomically) {
  NewUpload empty = Upload(1, Key('a'), kT0);
  empty.files.clear();
  EXPECT_TRUE(attachments().StoreUpload(empty).IsInvalidArgument());
  ASSERT_TRUE(attachments().StoreUpload(Upload(1, Key('a'), kT0)).ok());
  NewUpload again = Upload(1, Key('a'), kT0);
  again.files.resize(1);
  again.files[0].data = "other";
  EXPECT_FALSE(attachments().StoreUpload(again).ok());
  auto files = attachments().FindUpload(1, Key('a'), kT0);
  ASSERT_TRUE(files.ok() && files->has_value());
  EXPECT_EQ((*files)->size(), 2u) << "the first upload is untouched";
  EXPECT_EQ((**files)[0].file_name, "Invoice.pdf");
}

TEST_F(AttachmentsTest, TheAttachmentFlagIsStoredPerClient) {
  ClientSpec one = SampleClient(1);
  one.client.attachments = true;
  ASSERT_TRUE(provisioner().Apply({one}).ok());
  EXPECT_TRUE((*directory().FindClient(1))->attachments);
  EXPECT_FALSE((*directory().FindClient(2))->attachments);
  Reopen();
  EXPECT_TRUE((*directory().FindClient(1))->attachments);
  one.client.attachments = false;
  ASSERT_TRUE(provisioner().Apply({one}).ok());
  EXPECT_FALSE((*directory().FindClient(1))->attachments);
}

TEST_F(AttachmentsTest, ListMailingsGivesTheListsMailingsByAscendingId) {
  ClientSpec one = SampleClient(1);
  Mailing later = one.mailings[0];
  later.id = 250;
  later.name = "newsletter-2024-02";
  Mailing other_list = one.mailings[0];
  other_list.id = 300;
  other_list.name = "transactional";
  other_list.list_ids = {11};
  Mailing earlier = one.mailings[0];
  earlier.id = 120;
  earlier.name = "newsletter-2024-01";
  one.mailings = {later, other_list, earlier};
  ASSERT_TRUE(provisioner().Apply({one}).ok());
  auto names = lookup().ListMailings(1, 10);
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  ASSERT_EQ(names->size(), 3u);
  EXPECT_EQ((*names)[0].id, 100);
  EXPECT_EQ((*names)[0].name, "welcome");
  EXPECT_EQ((*names)[1].id, 120);
  EXPECT_EQ((*names)[2].name, "newsletter-2024-02");
  EXPECT_EQ(lookup().ListMailings(1, 11)->size(), 1u);
  EXPECT_EQ(lookup().ListMailings(2, 10)->size(), 1u) << "client 2 has only its own";
}

TEST_F(AttachmentsTest, LatestMailIsTheNewestOfThatRecipientInThatList) {
  const int64_t first = *queue().Enqueue({1, 10, 100, "a@example.com", {{"x", "1"}}, kT0});
  const int64_t second = *queue().Enqueue({1, 10, 100, "a@example.com", {{"x", "2"}}, kT0});
  queue().Enqueue({1, 11, 100, "a@example.com", {}, kT0}).value();  // another list
  queue().Enqueue({2, 10, 100, "a@example.com", {}, kT0}).value();  // another client
  queue().Enqueue({1, 10, 100, "b@example.com", {}, kT0}).value();  // another recipient
  auto latest = lookup().LatestMail(1, 10, "a@example.com", std::nullopt);
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->id, second);
  EXPECT_EQ((*latest)->fields.at("x"), "2");
  EXPECT_FALSE(lookup().LatestMail(1, 10, "a@example.com", MailStatus::kSent)->has_value());

  ASSERT_EQ(queue().Claim({"w", 10, 0, kT0, seconds(60)})->size(), 5u);
  Outcome sent;
  sent.mail_id = first;
  sent.worker = "w";
  sent.status = MailStatus::kSent;
  sent.at = kT0;
  ASSERT_TRUE(queue().Record(sent).ok());
  auto sent_latest = lookup().LatestMail(1, 10, "a@example.com", MailStatus::kSent);
  ASSERT_TRUE(sent_latest.ok() && sent_latest->has_value());
  EXPECT_EQ((*sent_latest)->id, first);
  EXPECT_FALSE(lookup().LatestMail(1, 10, "c@example.com", std::nullopt)->has_value());
}

}  // namespace
}  // namespace campaignd::store
