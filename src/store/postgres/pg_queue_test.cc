// PgQueue behaviour only PostgreSQL has: group commit through the batcher
// (counted), ReleaseAllClaims leaving other processes' claims alone.
#include "store/postgres/pg_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/store_testutil.h"
#include "store/postgres/pg_engine.h"

namespace campaignd::store::postgres {
namespace {

using std::chrono::seconds;

const TimePoint kT0 = FromUnixMillis(1'700'000'000'000);

class PgQueueTest : public EngineTest {
 protected:
  void SetUp() override {
    if (!TestServerUrl()) GTEST_SKIP() << "no PostgreSQL (set CAMPAIGND_TEST_DATABASE)";
    EngineTest::SetUp();
  }
  PgEngine& pg() { return static_cast<PgEngine&>(*engine_); }
};

TEST_F(PgQueueTest, ConcurrentEnqueuesAreGroupCommitted) {
  constexpr int kThreads = 64;
  constexpr int kPerThread = 50;
  const BatcherStats before = pg().batcher_stats();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        if (!queue().Enqueue({1, 10, 100, "a@example.com", {}, kT0}).ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  const BatcherStats after = pg().batcher_stats();
  const uint64_t units = after.units - before.units;
  const uint64_t statements = after.statements - before.statements;
  EXPECT_EQ(units, static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_EQ(after.failed_batches, before.failed_batches);
  EXPECT_LT(statements * 8, units) << statements << " statements for " << units << " mails";
  EXPECT_EQ(QueryInt("SELECT count(*) FROM mail_events WHERE status = 'enqueued'"),
            kThreads * kPerThread + 0);
}

TEST_F(PgQueueTest, ReleaseAllClaimsLeavesOtherWorkersClaimsAlone) {
  ASSERT_TRUE(queue().Enqueue({1, 10, 100, "a@example.com", {}, kT0}).ok());
  ASSERT_EQ(queue().Claim({"w1", 1, 0, kT0, seconds(60)})->size(), 1u);
  ASSERT_TRUE(queue().ReleaseAllClaims().ok());
  EXPECT_TRUE(queue().Claim({"w2", 10, 10, kT0, seconds(60)})->empty())
      << "w1 may be another process, still delivering";
  EXPECT_EQ(queue().Claim({"w2", 10, 10, kT0 + seconds(60), seconds(60)})->size(), 1u)
      << "taken over once the lease expired";
}

TEST_F(PgQueueTest, EnqueueWhileTheDatabaseIsGoneIsUnavailableNotEnqueued) {
  // The database is dropped under the engine: no answer may be "enqueued".
  std::unique_ptr<TestDatabase> keep = std::move(db_);
  keep.reset();  // DROP DATABASE ... WITH (FORCE) terminates our connections
  Result<int64_t> id = queue().Enqueue({1, 10, 100, "a@example.com", {}, kT0});
  ASSERT_FALSE(id.ok());
  EXPECT_TRUE(id.status().IsUnavailable()) << id.status().ToString();
}

}  // namespace
}  // namespace campaignd::store::postgres
