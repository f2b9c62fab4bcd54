#include "store/sqlite/writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <optional>
#include <thread>

#include "store/sqlite/sqlite_testutil.h"

namespace campaignd::store::sqlite {
namespace {

using std::chrono::milliseconds;

// Polls `done` for up to 10 s.
bool WaitFor(const std::function<bool()>& done) {
  for (int i = 0; i < 10000 && !done(); ++i) std::this_thread::sleep_for(milliseconds(1));
  return done();
}

Writer::Work Insert(int64_t value) {
  return [value](Database& db) -> Status {
    Result<Statement> insert = db.Prepare("INSERT INTO t (v) VALUES (?1)", "insert value");
    if (!insert.ok()) return insert.status();
    return insert->Bind(1, value).Run();
  };
}

class SqliteWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<Database>> db = Database::Open(dir_.File("w.db"), {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->Exec("CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                            "CREATE TABLE t (v INTEGER UNIQUE, p INTEGER REFERENCES parent (id) "
                            "DEFERRABLE INITIALLY DEFERRED)",
                            "create tables")
                    .ok());
    writer_ = std::make_unique<Writer>(std::move(*db));
  }

  // Values in t, as committed (read through a separate connection).
  std::vector<int64_t> Committed() {
    auto db = Database::Open(dir_.File("w.db"), {.read_only = true});
    EXPECT_TRUE(db.ok());
    Result<Statement> query = (*db)->Prepare("SELECT v FROM t ORDER BY v", "read values");
    std::vector<int64_t> values;
    while (*query->Step()) values.push_back(query->ColumnInt(0));
    return values;
  }

  // Holds the writer thread inside a unit (its own batch) until the
  // returned promise is set, so that units submitted meanwhile queue up
  // and form the next batch.
  std::promise<void> BlockWriter() {
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    auto entered = std::make_shared<std::promise<void>>();
    std::future<void> inside = entered->get_future();
    blocker_ = std::async(std::launch::async, [this, released, entered] {
      return writer_->Submit([released, entered](Database&) {
        entered->set_value();
        released.wait();
        return Status::Ok();
      });
    });
    inside.wait();
    return release;
  }

  std::vector<std::future<Status>> SubmitAll(const std::vector<Writer::Work>& units) {
    std::vector<std::future<Status>> results;
    for (const Writer::Work& work : units) {
      results.push_back(std::async(std::launch::async, [this, work] { return writer_->Submit(work); }));
    }
    EXPECT_TRUE(WaitFor([&] { return writer_->stats().pending == units.size(); }));
    return results;
  }

  TempDir dir_ = MakeTestDir();
  std::unique_ptr<Writer> writer_;
  std::future<Status> blocker_;
};

TEST_F(SqliteWriterTest, CommitsAUnit) {
  Status status = writer_->Submit(Insert(1));
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Committed(), std::vector<int64_t>{1});
  WriterStats stats = writer_->stats();
  EXPECT_EQ(stats.units, 1u);
  EXPECT_EQ(stats.transactions, 1u);
}

TEST_F(SqliteWriterTest, FailingUnitIsRolledBackAloneInItsBatch) {
  const uint64_t transactions_before = writer_->stats().transactions;
  std::promise<void> release = BlockWriter();
  auto results = SubmitAll({Insert(1),
                            [](Database& db) {
                              CAMPAIGND_RETURN_IF_ERROR(Insert(2)(db));
                              return Status::InvalidArgument("unit two says no");
                            },
                            Insert(3), Insert(1) /* duplicate of the first: constraint */});
  release.set_value();
  ASSERT_TRUE(blocker_.get().ok());
  std::vector<Status> statuses;
  for (auto& result : results) statuses.push_back(result.get());
  EXPECT_TRUE(statuses[0].ok() != statuses[3].ok()) << "exactly one insert of 1 wins";
  EXPECT_EQ(statuses[1].ToString(), "invalid argument: unit two says no");
  EXPECT_TRUE(statuses[2].ok());
  Status& dup = statuses[0].ok() ? statuses[3] : statuses[0];
  EXPECT_TRUE(dup.IsInvalidArgument()) << dup.ToString();
  EXPECT_EQ(Committed(), (std::vector<int64_t>{1, 3}));
  // The blocker's batch, then one batch with all four units.
  EXPECT_EQ(writer_->stats().transactions, transactions_before + 2);
}

TEST_F(SqliteWriterTest, FailedCommitFailsEveryUnitOfTheBatch) {
  std::promise<void> release = BlockWriter();
  auto results = SubmitAll({Insert(1), [](Database& db) {
                              // A deferred foreign key is only checked at COMMIT.
                              return db.Exec("INSERT INTO t (v, p) VALUES (2, 999)", "orphan");
                            }});
  release.set_value();
  ASSERT_TRUE(blocker_.get().ok());
  for (auto& result : results) {
    Status status = result.get();
    EXPECT_TRUE(status.IsUnavailable()) << status.ToString();
    EXPECT_NE(status.message().find("commit write transaction"), std::string::npos);
  }
  EXPECT_TRUE(Committed().empty());
  EXPECT_EQ(writer_->stats().failed_batches, 1u);
  EXPECT_TRUE(writer_->Submit(Insert(5)).ok()) << "the writer goes on after a failed batch";
  EXPECT_EQ(Committed(), std::vector<int64_t>{5});
}

TEST_F(SqliteWriterTest, TransactionEndedBySqliteFailsTheWholeBatch) {
  std::promise<void> release = BlockWriter();
  auto results = SubmitAll({Insert(1), [](Database& db) {
                              // What SQLite does on its own after some disk-full
                              // or I/O errors: the whole transaction is gone.
                              CAMPAIGND_RETURN_IF_ERROR(db.Exec("ROLLBACK", "simulate"));
                              return Status::Unavailable("disk full (simulated)");
                            }});
  release.set_value();
  ASSERT_TRUE(blocker_.get().ok());
  for (auto& result : results) {
    Status status = result.get();
    EXPECT_TRUE(status.IsUnavailable()) << status.ToString();
  }
  EXPECT_TRUE(Committed().empty()) << "the unit before the failure is lost too, and says so";
  EXPECT_EQ(writer_->stats().failed_batches, 1u);
  EXPECT_TRUE(writer_->Submit(Insert(2)).ok());
}

TEST_F(SqliteWriterTest, ExceptionInAUnitBecomesItsStatus) {
  Status status = writer_->Submit([](Database&) -> Status { throw std::runtime_error("boom"); });
  EXPECT_EQ(status.code(), Status::Code::kInternal);
  EXPECT_NE(status.message().find("boom"), std::string::npos);
  EXPECT_TRUE(writer_->Submit(Insert(1)).ok());
}

TEST_F(SqliteWriterTest, CloseCompletesPendingUnitsThenRefuses) {
  std::promise<void> release = BlockWriter();
  auto results = SubmitAll({Insert(1), Insert(2)});
  std::thread closer([&] { writer_->Close(); });
  std::this_thread::sleep_for(milliseconds(20));
  release.set_value();
  closer.join();
  for (auto& result : results) EXPECT_TRUE(result.get().ok());
  EXPECT_EQ(Committed(), (std::vector<int64_t>{1, 2}));
  Status late = writer_->Submit(Insert(3));
  EXPECT_TRUE(late.IsUnavailable()) << late.ToString();
  writer_->Close();  // idempotent
}

TEST_F(SqliteWriterTest, ConcurrentUnitsShareTransactions) {
  constexpr int kThreads = 32;
  constexpr int kPerThread = 20;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (!writer_->Submit(Insert(t * kPerThread + i)).ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Committed().size(), static_cast<std::size_t>(kThreads * kPerThread));
  WriterStats stats = writer_->stats();
  EXPECT_EQ(stats.units, static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_LT(stats.transactions * 4, stats.units) << "group commit batches units";
}

TEST_F(SqliteWriterTest, AsyncUnitsJoinTheBatchAndCompleteAfterTheCommit) {
  const uint64_t transactions_before = writer_->stats().transactions;
  std::promise<void> release = BlockWriter();
  // Each completion records what a separate connection sees at that moment.
  std::vector<std::promise<std::pair<Status, std::size_t>>> done(3);
  for (int i = 0; i < 3; ++i) {
    Writer::Work work = i == 1 ? Writer::Work([](Database&) { return Status::InvalidArgument("no"); })
                               : Insert(i);
    writer_->SubmitAsync(std::move(work), [this, &done, i](const Status& status) {
      done[i].set_value({status, Committed().size()});
    });
  }
  auto sync = std::async(std::launch::async, [this] { return writer_->Submit(Insert(7)); });
  ASSERT_TRUE(WaitFor([&] { return writer_->stats().pending == 4; }));
  release.set_value();
  ASSERT_TRUE(blocker_.get().ok());
  EXPECT_TRUE(sync.get().ok());
  for (int i = 0; i < 3; ++i) {
    auto [status, committed] = done[i].get_future().get();
    EXPECT_EQ(status.ok(), i != 1) << status.ToString();
    EXPECT_EQ(committed, 3u) << "completion " << i << " ran before the commit was visible";
  }
  EXPECT_EQ(Committed(), (std::vector<int64_t>{0, 2, 7}));
  EXPECT_EQ(writer_->stats().transactions, transactions_before + 2);
}

TEST_F(SqliteWriterTest, AsyncUnitAfterCloseIsUnavailableAtOnce) {
  writer_->Close();
  std::optional<Status> got;
  writer_->SubmitAsync(Insert(1), [&](const Status& status) { got = status; });
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->IsUnavailable()) << got->ToString();
}

}  // namespace
}  // namespace campaignd::store::sqlite
