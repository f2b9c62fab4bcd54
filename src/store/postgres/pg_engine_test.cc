// What only the PostgreSQL engine does: several processes on one database -
// migrations under the advisory lock, claims with SKIP LOCKED, wake-ups by
// LISTEN/NOTIFY, shared rate windows, and recovery from lost connections.
// "Another process" is a second engine on the same database (its own pool,
// batcher and listener), or a forked child where the process matters.
#include "store/postgres/pg_engine.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <set>
#include <thread>

#include "store/store_testutil.h"

namespace campaignd::store::postgres {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kT0 = FromUnixMillis(1'700'000'000'000);

// Counts notifications and remembers when the last one came.
class RecordingNotifier final : public Notifier {
 public:
  void Notify() override {
    std::lock_guard lock(mu_);
    ++count_;
    last_ = Clock::now();
    cv_.notify_all();
  }
  // Waits until more than `seen` notifications came; when the last came.
  std::optional<Clock::time_point> WaitBeyond(int seen, milliseconds timeout) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return count_ > seen; })) return std::nullopt;
    return last_;
  }
  int count() {
    std::lock_guard lock(mu_);
    return count_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int count_ = 0;
  Clock::time_point last_;
};

class PgEngineTest : public EngineTest {
 protected:
  void SetUp() override {
    if (!TestServerUrl()) GTEST_SKIP() << "no PostgreSQL (set CAMPAIGND_TEST_DATABASE)";
    EngineTest::SetUp();
  }
  PgEngine& pg() { return static_cast<PgEngine&>(*engine_); }
};

class PgMigrationTest : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (IsSkipped()) return;
    db_ = TestDatabase::CreateOrDie(TestDatabase::Schema::kEmpty);
  }
  std::unique_ptr<TestDatabase> db_;
};

TEST_F(PgMigrationTest, ConcurrentOpensFromThreadsApplyEachMigrationOnce) {
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  std::atomic<int> opened{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      Result<std::unique_ptr<Engine>> engine = OpenEngine(db_->url(), {});
      EXPECT_TRUE(engine.ok()) << engine.status().ToString();
      if (engine.ok()) ++opened;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(opened.load(), kThreads);
  EXPECT_EQ(*db_->QueryInt("SELECT count(*) FROM schema_migrations"),
            static_cast<int64_t>(PostgresMigrations().size()));
  EXPECT_EQ(*db_->QueryInt("SELECT count(DISTINCT version) FROM schema_migrations"),
            static_cast<int64_t>(PostgresMigrations().size()));
}

TEST_F(PgMigrationTest, ConcurrentOpensFromProcessesApplyEachMigrationOnce) {
  constexpr int kProcesses = 4;
  std::vector<pid_t> children;
  for (int i = 0; i < kProcesses; ++i) {
    pid_t pid = ::fork();
    if (pid == 0) {
      Result<std::vector<Migration>> applied = MigrateDatabase(db_->url());
      ::_exit(!applied.ok() ? 2 : applied->empty() ? 0 : 1);  // 1: "I migrated"
    }
    children.push_back(pid);
  }
  int migrated = 0;
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_NE(WEXITSTATUS(status), 2) << "a process failed to migrate";
    migrated += WEXITSTATUS(status);
  }
  EXPECT_EQ(migrated, 1) << "exactly one process applied the migrations";
  EXPECT_EQ(*db_->QueryInt("SELECT count(*) FROM schema_migrations"),
            static_cast<int64_t>(PostgresMigrations().size()));
}

TEST_F(PgMigrationTest, MigrateReportsAndRefusesANewerDatabase) {
  Result<std::vector<Migration>> applied = MigrateDatabase(db_->url());
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(applied->size(), PostgresMigrations().size());
  EXPECT_TRUE(MigrateDatabase(db_->url())->empty());
  ASSERT_TRUE(db_->Exec("INSERT INTO schema_migrations VALUES (9999, 'future', 0)").ok());
  Result<std::unique_ptr<Engine>> engine = OpenEngine(db_->url(), {});
  ASSERT_FALSE(engine.ok());
  EXPECT_TRUE(engine.status().IsInvalidArgument()) << engine.status().ToString();
  EXPECT_NE(engine.status().message().find("newer than this campaignd"), std::string::npos);
  ASSERT_TRUE(db_->Exec("DELETE FROM schema_migrations WHERE name = 'initial'; "
                        "UPDATE schema_migrations SET version = 1, name = 'renamed' "
                        "WHERE version = 9999")
                  .ok());
  EXPECT_NE(OpenEngine(db_->url(), {}).status().message().find("calls migration 1 'initial'"),
            std::string::npos);
}

TEST_F(PgEngineTest, TwoWorkersClaimingAtOnceNeverGetTheSameMail) {
  constexpr int kMails = 400;
  for (int i = 0; i < kMails; ++i) {
    ASSERT_TRUE(queue().Enqueue({1, 10, 100, "a@example.com", {}, kT0}).ok());
  }
  std::unique_ptr<Engine> other = OpenOrFail();
  ASSERT_NE(other, nullptr);
  std::vector<int64_t> got[2];
  auto work = [&](Engine& engine, const std::string& worker, std::vector<int64_t>& ids) {
    for (;;) {
      Result<std::vector<Mail>> mails = engine.queue().Claim({worker, 7, 7, kT0, seconds(60)});
      ASSERT_TRUE(mails.ok()) << mails.status().ToString();
      if (mails->empty()) return;
      for (const Mail& mail : *mails) {
        ids.push_back(mail.id);
        Outcome sent;
        sent.mail_id = mail.id;
        sent.worker = worker;
        sent.status = MailStatus::kSent;
        sent.at = kT0;
        sent.attempted = true;
        ASSERT_TRUE(engine.queue().Record(sent).ok());
      }
    }
  };
  std::thread a([&] { work(*engine_, "worker-a", got[0]); });
  std::thread b([&] { work(*other, "worker-b", got[1]); });
  a.join();
  b.join();
  std::set<int64_t> all(got[0].begin(), got[0].end());
  for (int64_t id : got[1]) EXPECT_TRUE(all.insert(id).second) << "mail " << id << " twice";
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kMails));
  EXPECT_FALSE(got[0].empty());
  EXPECT_FALSE(got[1].empty());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM mail_events WHERE status = 'sending'"), kMails)
      << "one enqueued -> sending transition per mail";
}

TEST_F(PgEngineTest, EnqueueInAnotherProcessWakesASubscriberWithinMilliseconds) {
  RecordingNotifier notifier;
  ASSERT_TRUE(coordination().Subscribe(notifier).ok());
  std::unique_ptr<Engine> api = OpenOrFail();
  ASSERT_NE(api, nullptr);
  milliseconds worst{0};
  for (int i = 0; i < 5; ++i) {
    const int seen = notifier.count();
    ASSERT_TRUE(api->queue().Enqueue({1, 10, 100, "a@example.com", {}, kT0}).ok());
    const Clock::time_point committed = Clock::now();
    std::optional<Clock::time_point> woken = notifier.WaitBeyond(seen, milliseconds(2000));
    ASSERT_TRUE(woken.has_value()) << "no notification";
    worst = std::max(worst, std::chrono::duration_cast<milliseconds>(
                                std::max(*woken, committed) - committed));
  }
  EXPECT_LT(worst, milliseconds(100));
  EXPECT_EQ(coordination().Subscribe(notifier).code(), Status::Code::kInternal)
      << "subscribing twice is refused";
}

TEST_F(PgEngineTest, ListenerReconnectsAfterLosingItsConnectionAndNotifiesOnce) {
  RecordingNotifier notifier;
  ASSERT_TRUE(coordination().Subscribe(notifier).ok());
  EXPECT_EQ(pg().listener_connects(), 1u);
  ExecSql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
          "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  // Re-connected: one notification for mail that may have come meanwhile.
  ASSERT_TRUE(notifier.WaitBeyond(0, milliseconds(3000)).has_value());
  EXPECT_EQ(pg().listener_connects(), 2u);
  // Pooled connections were terminated too: calls work again by themselves.
  Result<std::optional<Client>> client = directory().FindClient(1);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  const int seen = notifier.count();
  std::unique_ptr<Engine> api = OpenOrFail();
  ASSERT_TRUE(api->queue().Enqueue({1, 10, 100, "a@example.com", {}, kT0}).ok());
  EXPECT_TRUE(notifier.WaitBeyond(seen, milliseconds(2000)).has_value()) << "listening again";
}

TEST_F(PgEngineTest, RateWindowsAreSharedByEveryProcess) {
  std::unique_ptr<Engine> other = OpenOrFail();
  ASSERT_NE(other, nullptr);
  const TimePoint t = FromUnixMillis(1'700'000'000'100);
  int allowed = 0;
  for (int i = 0; i < 10; ++i) {
    Engine& engine = i % 2 == 0 ? *engine_ : *other;
    Result<milliseconds> wait = engine.coordination().AcquireRate("relay:shared", 5, t);
    ASSERT_TRUE(wait.ok()) << wait.status().ToString();
    if (*wait == milliseconds(0)) {
      ++allowed;
    } else {
      EXPECT_EQ(*wait, milliseconds(900));
    }
  }
  EXPECT_EQ(allowed, 5) << "five per second across both processes";
  EXPECT_EQ(QueryInt("SELECT count FROM rate_windows WHERE key = 'relay:shared'"), 5);
  EXPECT_EQ(*other->coordination().AcquireRate("relay:shared", 5, t + milliseconds(900)),
            milliseconds(0));
  EXPECT_TRUE(other->coordination().AcquireRate("x", 0, t).status().IsInvalidArgument());
}

TEST_F(PgEngineTest, OldRateWindowsAreCleanedUp) {
  std::unique_ptr<Engine> fresh = OpenOrFail();  // has not cleaned up yet
  ASSERT_TRUE(fresh->coordination().AcquireRate("k", 5, kT0).ok());
  ASSERT_TRUE(fresh->coordination().AcquireRate("k", 5, kT0 + seconds(59)).ok());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM rate_windows"), 2) << "none older than a minute yet";
  ASSERT_TRUE(fresh->coordination().AcquireRate("k", 5, kT0 + seconds(90)).ok());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM rate_windows"), 2)
      << "the first window (older than a minute) is gone";
}

}  // namespace
}  // namespace campaignd::store::postgres
