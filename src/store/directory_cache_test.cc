// DirectoryCache on the engine the environment names (store_testutil.h):
// answers from memory, sees changes of other processes (a second engine on
// the same database, or SQL through a connection of its own) within a
// second, and stays within its bound.
#include "store/directory_cache.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "store/store_testutil.h"

namespace campaignd::store {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

class DirectoryCacheTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (HasFatalFailure()) return;
    Open({});
  }
  void TearDown() override {
    cache_.reset();
    EngineTest::TearDown();
  }
  void Open(DirectoryCacheOptions options) {
    cache_.reset();
    auto opened = OpenDirectoryCache(*engine_, options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    cache_ = std::move(*opened);
    WaitUntilCaching();
  }
  // The cache keeps nothing until it has read the change counter once.
  void WaitUntilCaching() {
    ASSERT_LT(WaitFor([&] {
                return cache_->FindClient(1).ok() && cache_->memory_only().FindClient(1).ok();
              }),
              milliseconds(2000));
  }
  // How long until `seen` holds (checked every 10 ms; gives up after 5 s).
  milliseconds WaitFor(const std::function<bool()>& seen) {
    const auto start = Clock::now();
    while (!seen() && Clock::now() - start < std::chrono::seconds(5)) {
      std::this_thread::sleep_for(milliseconds(10));
    }
    return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  }
  bool CodeAuthorizes(std::string_view hash) {
    auto code = cache_->FindCode(hash);
    EXPECT_TRUE(code.ok()) << code.status().ToString();
    return code.ok() && code->has_value() && (*code)->enabled;
  }

  std::unique_ptr<DirectoryCache> cache_;
};

TEST_F(DirectoryCacheTest, AnswersAsTheEngineAndThenFromMemory) {
  EXPECT_FALSE(cache_->memory_only().FindMailing(1, 100).ok());  // not read yet
  auto mailing = cache_->FindMailing(1, 100);
  ASSERT_TRUE(mailing.ok() && mailing->has_value());
  EXPECT_EQ((*mailing)->name, "welcome");
  EXPECT_EQ((*mailing)->list_ids, std::vector<int64_t>{10});

  const auto before = cache_->stats();
  auto again = cache_->memory_only().FindMailing(1, 100);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->subject, "Hello {firstname}");
  EXPECT_EQ(cache_->stats().hits, before.hits + 1);
  EXPECT_EQ(cache_->stats().misses, before.misses);

  // Every kind, found or not, and the keys of a client without keys.
  ASSERT_TRUE(cache_->FindCode("hash-2").ok());
  ASSERT_TRUE(cache_->FindCode("hash-9").ok());
  ASSERT_TRUE(cache_->FindList(2, 11).ok());
  ASSERT_TRUE(cache_->FindList(2, 12).ok());
  ASSERT_TRUE(cache_->FindDkimKeys(2).ok());
  ASSERT_TRUE(cache_->FindDkimKeys(3).ok());
  Directory& memory = cache_->memory_only();
  EXPECT_EQ((*memory.FindCode("hash-2"))->client_id, 2);
  EXPECT_FALSE(memory.FindCode("hash-9")->has_value());
  EXPECT_EQ((*memory.FindList(2, 11))->kind, ListKind::kTransaction);
  EXPECT_FALSE(memory.FindList(2, 12)->has_value());
  EXPECT_EQ(memory.FindDkimKeys(2)->at(0).private_key_pem, "-----PEM 2");
  EXPECT_TRUE(memory.FindDkimKeys(3)->empty());
  EXPECT_EQ((*memory.FindClient(1))->mail_id_secret, "secret-of-1");
  // Not cached: always the engine.
  EXPECT_FALSE(memory.FindRecipient(1, 10, "a@example.com").ok());
  EXPECT_FALSE(memory.CheckSuppression(1, 10, "a@example.com").ok());
  EXPECT_TRUE((*cache_->FindRecipient(1, 10, "a@example.com")).has_value());
}

TEST_F(DirectoryCacheTest, ChangeThroughAnotherEngineIsSeenWithinASecond) {
  ASSERT_EQ((*cache_->FindMailing(1, 100))->status, MailingStatus::kSending);
  std::unique_ptr<Engine> other = OpenOrFail();
  ASSERT_NE(other, nullptr);
  ClientSpec changed = SampleClient(1);
  changed.mailings[0].status = MailingStatus::kPaused;
  changed.client.transport = "smtp://relay.example:25";
  ASSERT_TRUE(other->provisioner().Apply({changed}).ok());

  EXPECT_LT(WaitFor([&] { return (*cache_->FindMailing(1, 100))->status == MailingStatus::kPaused; }),
            milliseconds(1000));
  EXPECT_EQ((*cache_->FindClient(1))->transport, "smtp://relay.example:25");
  other->Close();
}

TEST_F(DirectoryCacheTest, DisabledOrDeletedCodeStopsAuthorizingWithinASecond) {
  ASSERT_TRUE(CodeAuthorizes("hash-1"));
  ASSERT_TRUE(CodeAuthorizes("hash-2"));
  ExecSql("UPDATE codes SET enabled = 0 WHERE code_hash = 'hash-1'");  // another process
  EXPECT_LT(WaitFor([&] { return !CodeAuthorizes("hash-1"); }), milliseconds(1000));

  ExecSql("DELETE FROM codes WHERE code_hash = 'hash-2'");
  EXPECT_LT(WaitFor([&] { return !cache_->FindCode("hash-2")->has_value(); }),
            milliseconds(1000));
}

TEST_F(DirectoryCacheTest, NegativeAnswersAreCheckedAgainAfterAChange) {
  EXPECT_FALSE(cache_->FindCode("hash-3")->has_value());
  EXPECT_FALSE(cache_->FindClient(3)->has_value());
  EXPECT_FALSE(cache_->FindMailing(3, 100)->has_value());
  EXPECT_FALSE(cache_->memory_only().FindCode("hash-3")->has_value());  // "none", cached

  std::unique_ptr<Engine> other = OpenOrFail();
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(other->provisioner().Apply({SampleClient(3)}).ok());
  EXPECT_LT(WaitFor([&] { return cache_->FindCode("hash-3")->has_value(); }), milliseconds(1000));
  EXPECT_TRUE(cache_->FindClient(3)->has_value());
  EXPECT_TRUE(cache_->FindMailing(3, 100)->has_value());
  other->Close();
}

TEST_F(DirectoryCacheTest, InvalidateDropsEverythingAtOnce) {
  ASSERT_TRUE(CodeAuthorizes("hash-1"));
  ExecSql("UPDATE codes SET enabled = 0 WHERE code_hash = 'hash-1'");
  cache_->Invalidate();
  EXPECT_FALSE(cache_->memory_only().FindCode("hash-1").ok());
  EXPECT_FALSE(CodeAuthorizes("hash-1"));
}

TEST_F(DirectoryCacheTest, QueueWritesKeepTheCache) {
  ASSERT_TRUE(cache_->FindMailing(1, 100).ok());
  const uint64_t drops = cache_->stats().drops;
  NewMail mail;
  mail.client_id = 1;
  mail.list_id = 10;
  mail.mailing_id = 100;
  mail.recipient_id = "a@example.com";
  mail.created_at = TimePoint(std::chrono::seconds(1700000000));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(queue().Enqueue(mail).ok());
  std::this_thread::sleep_for(milliseconds(600));  // two polls and more
  EXPECT_EQ(cache_->stats().drops, drops);
  EXPECT_TRUE(cache_->memory_only().FindMailing(1, 100).ok());
}

TEST_F(DirectoryCacheTest, StaysWithinItsBound) {
  DirectoryCacheOptions options;
  options.max_entries = 4;
  options.max_negative = 2;
  Open(options);  // holds client 1 now (WaitUntilCaching)
  ASSERT_TRUE(CodeAuthorizes("hash-1"));
  Directory& memory = cache_->memory_only();
  // Unknown codes replace each other; the known one stays.
  for (std::string hash : {"x1", "x2", "x3"}) ASSERT_TRUE(cache_->FindCode(hash).ok());
  EXPECT_FALSE(memory.FindCode("x1").ok());
  EXPECT_TRUE(memory.FindCode("x3").ok());
  EXPECT_TRUE(memory.FindCode("hash-1").ok());
  // A full kind is emptied and refilled.
  for (int64_t id : {2, 3, 4, 5}) ASSERT_TRUE(cache_->FindClient(id).ok());
  EXPECT_FALSE(memory.FindClient(1).ok());
  EXPECT_TRUE(memory.FindClient(5).ok());
  EXPECT_TRUE((*cache_->FindClient(1))->name == "client 1");
}

}  // namespace
}  // namespace campaignd::store
