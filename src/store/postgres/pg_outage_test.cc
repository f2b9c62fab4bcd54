// The database goes away under load and comes back: calls fail fast with
// Unavailable meanwhile (never a false success), and everything - pool,
// enqueues, the listener - resumes by itself. Runs a private cluster
// (scripts/pg-cluster) so stopping it disturbs no other test.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include "store/store_testutil.h"
#include "store/postgres/connection.h"
#include "store/postgres/pg_url.h"
#include "store/postgres/pool.h"
#include "store/temp_dir.h"

namespace campaignd::store::postgres {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

const TimePoint kT0 = FromUnixMillis(1'700'000'000'000);

class CountingNotifier final : public Notifier {
 public:
  void Notify() override { ++count; }
  std::atomic<int> count{0};
};

class PgOutageTest : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (IsSkipped()) return;
    Result<TempDir> dir = TempDir::Create("campaignd-outage");
    ASSERT_TRUE(dir.ok());
    dir_ = std::move(*dir);
    ASSERT_TRUE(Cluster("start"));
    std::ifstream in(dir_.File("url"));
    std::string server;
    std::getline(in, server);
    Result<std::unique_ptr<Connection>> admin = Connection::Open(server, kConnectTimeout);
    ASSERT_TRUE(admin.ok()) << admin.status().ToString();
    ASSERT_TRUE((*admin)->Exec("CREATE DATABASE outage", "create").ok());
    url_ = *WithDatabase(server, "outage");
  }
  void TearDown() override {
    if (!dir_.path().empty()) Cluster("stop");
  }
  bool Cluster(const std::string& command) {
    const std::string line = std::string(CAMPAIGND_PG_CLUSTER_SCRIPT) + " " + command + " " +
                             dir_.path() + " > /dev/null";
    return std::system(line.c_str()) == 0;
  }

  TempDir dir_;
  std::string url_;
};

TEST_F(PgOutageTest, CallsFailFastWhileDownAndResumeByThemselves) {
  Result<std::unique_ptr<Engine>> opened = OpenEngine(url_, {});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Engine& engine = **opened;
  ASSERT_TRUE(engine.provisioner().Apply({SampleClient(1)}).ok());
  CountingNotifier notifier;
  ASSERT_TRUE(engine.coordination().Subscribe(notifier).ok());
  Result<int64_t> before = engine.queue().Enqueue({1, 10, 100, "a@example.com", {}, kT0});
  ASSERT_TRUE(before.ok());

  ASSERT_TRUE(Cluster("stop"));
  const Clock::time_point start = Clock::now();
  for (int i = 0; i < 20; ++i) {
    Result<int64_t> id = engine.queue().Enqueue({1, 10, 100, "a@example.com", {}, kT0});
    ASSERT_FALSE(id.ok()) << "answered enqueued while the database is down";
    EXPECT_TRUE(id.status().IsUnavailable()) << id.status().ToString();
    EXPECT_TRUE(engine.directory().FindClient(1).status().IsUnavailable());
    EXPECT_TRUE(engine.queue().Claim({"w", 1, 1, kT0, std::chrono::seconds(60)})
                    .status()
                    .IsUnavailable());
  }
  EXPECT_LT(Clock::now() - start, milliseconds(2000)) << "60 calls, none waits for long";

  const int notified = notifier.count.load();
  ASSERT_TRUE(Cluster("start"));
  Result<int64_t> after = Status::Unavailable("not tried");
  for (int i = 0; i < 100 && !after.ok(); ++i) {
    std::this_thread::sleep_for(milliseconds(50));
    after = engine.queue().Enqueue({1, 10, 100, "b@example.com", {}, kT0});
  }
  ASSERT_TRUE(after.ok()) << "did not resume: " << after.status().ToString();
  EXPECT_GT(*after, *before);
  Result<std::optional<Mail>> kept = engine.queue().FindMail(1, *before);
  ASSERT_TRUE(kept.ok() && kept->has_value()) << "the mail answered before the outage is there";
  for (int i = 0; i < 100 && notifier.count.load() == notified; ++i) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_GT(notifier.count.load(), notified) << "the listener is back and said so";
  engine.Close();
}

}  // namespace
}  // namespace campaignd::store::postgres
