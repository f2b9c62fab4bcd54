// SqliteQueue behaviour only SQLite has: group commit through the writer
// (counted), ReleaseAllClaims under the serve lock, and claims that use
// the partial indexes.
#include "store/sqlite/sqlite_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/sqlite/sqlite_testutil.h"

namespace campaignd::store::sqlite {
namespace {

const TimePoint kT0 = FromUnixMillis(1'700'000'000'000);

using SqliteQueueTest = SqliteEngineTest;

std::size_t ClaimCount(MailQueue& queue, const std::string& worker) {
  Result<std::vector<Mail>> mails = queue.Claim({worker, 100, 100, kT0, std::chrono::seconds(60)});
  EXPECT_TRUE(mails.ok()) << mails.status().ToString();
  return mails.ok() ? mails->size() : 0;
}

TEST_F(SqliteQueueTest, ConcurrentEnqueuesAreGroupCommitted) {
  constexpr int kThreads = 64;
  constexpr int kPerThread = 50;
  const WriterStats before = engine_->writer_stats();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        NewMail mail{1, 10, 100, "a@example.com", {}, kT0};
        if (!queue().Enqueue(mail).ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  const WriterStats after = engine_->writer_stats();
  const uint64_t units = after.units - before.units;
  const uint64_t transactions = after.transactions - before.transactions;
  EXPECT_EQ(units, static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_LT(transactions * 8, units) << transactions << " transactions for " << units << " units";
}

TEST_F(SqliteQueueTest, ReleaseAllClaimsGivesBackEveryWorkersClaims) {
  ASSERT_TRUE(queue().Enqueue({1, 10, 100, "a@example.com", {}, kT0}).ok());
  ASSERT_TRUE(queue().Enqueue({1, 10, 100, "b@example.com", {}, kT0}).ok());
  ASSERT_EQ(queue().Claim({"w1", 1, 0, kT0, std::chrono::seconds(60)})->size(), 1u);
  ASSERT_EQ(queue().Claim({"w2", 1, 0, kT0, std::chrono::seconds(60)})->size(), 1u);
  EXPECT_EQ(ClaimCount(queue(), "w3"), 0u);
  ASSERT_TRUE(queue().ReleaseAllClaims().ok());
  EXPECT_EQ(ClaimCount(queue(), "w4"), 2u);
}

TEST_F(SqliteQueueTest, ClaimsUseThePartialIndexes) {
  Result<std::unique_ptr<Database>> db = Database::Open(db_path(), {.read_only = true});
  ASSERT_TRUE(db.ok());
  for (bool retries : {false, true}) {
    Result<Statement> plan =
        (*db)->Prepare("EXPLAIN QUERY PLAN " + DueMailsSql(retries), "explain claim");
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    std::string details;
    while (*plan->Step()) details += plan->ColumnText(3) + "\n";
    EXPECT_NE(details.find(retries ? "USING INDEX mails_claim_retry" : "USING INDEX mails_claim_fresh"),
              std::string::npos)
        << details;
    EXPECT_EQ(details.find("TEMP B-TREE"), std::string::npos) << "no sort: " << details;
  }
}

}  // namespace
}  // namespace campaignd::store::sqlite
