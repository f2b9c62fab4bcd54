// Pool: lazy connections, replacing connections the server closed, and
// failing fast while the server does not answer.
#include "store/postgres/pool.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "store/store_testutil.h"

namespace campaignd::store::postgres {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A TCP port on 127.0.0.1 that accepts connections (the kernel completes
// the handshake) but never answers: every connect waits out its timeout.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 64);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  std::string url() const {
    return "postgresql://u:pw@127.0.0.1:" + std::to_string(port_) + "/db";
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

milliseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

TEST(PgPoolTest, SilentServerCostsOneTimeoutThenCallersFailFast) {
  SilentServer server;
  Pool pool(server.url(), 4);
  Clock::time_point start = Clock::now();
  Result<Pool::Lease> first = pool.Checkout();
  ASSERT_FALSE(first.ok());
  EXPECT_TRUE(first.status().IsUnavailable()) << first.status().ToString();
  EXPECT_GE(Since(start), milliseconds(1500)) << "the connect timeout";
  EXPECT_EQ(first.status().message().find(":pw@"), std::string::npos);

  start = Clock::now();
  for (int i = 0; i < 20; ++i) {
    Result<Pool::Lease> again = pool.Checkout();
    ASSERT_FALSE(again.ok());
    EXPECT_TRUE(again.status().IsUnavailable());
  }
  EXPECT_LT(Since(start), milliseconds(200)) << "within the back-off nobody waits";

  // After the back-off one caller probes; the others still fail at once.
  std::this_thread::sleep_for(kReconnectBackoff + milliseconds(50));
  std::thread probe([&] { EXPECT_FALSE(pool.Checkout().ok()); });
  std::this_thread::sleep_for(milliseconds(100));
  start = Clock::now();
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(pool.Checkout().ok());
  EXPECT_LT(Since(start), milliseconds(200)) << "one probe at a time";
  probe.join();
}

class PgPoolServerTest : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (IsSkipped()) return;
    db_ = TestDatabase::CreateOrDie(TestDatabase::Schema::kEmpty);
    Result<std::unique_ptr<Connection>> admin = Connection::Open(db_->url(), kConnectTimeout);
    ASSERT_TRUE(admin.ok());
    admin_ = std::move(*admin);
  }
  // Terminates backend `pid` and waits until the server forgot it.
  void Terminate(int pid) {
    ASSERT_TRUE(admin_->Query("SELECT pg_terminate_backend($1)", {pid}, "terminate").ok());
    for (int i = 0; i < 200; ++i) {
      Result<PgResult> left =
          admin_->Query("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", {pid}, "look");
      ASSERT_TRUE(left.ok());
      if (left->Int(0, 0) == 0) return;
      std::this_thread::sleep_for(milliseconds(10));
    }
    FAIL() << "backend " << pid << " still there";
  }
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<Connection> admin_;
};

TEST_F(PgPoolServerTest, ConnectionTerminatedWhileIdleIsReplacedQuietly) {
  Pool pool(db_->url(), 2);
  int pid = 0;
  {
    Result<Pool::Lease> lease = pool.Checkout();
    ASSERT_TRUE(lease.ok()) << lease.status().ToString();
    pid = (*lease)->backend_pid();
  }
  Terminate(pid);
  Result<Pool::Lease> lease = pool.Checkout();
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  EXPECT_NE((*lease)->backend_pid(), pid);
  EXPECT_TRUE((*lease)->Query("SELECT 1", {}, "select").ok());
}

TEST_F(PgPoolServerTest, ConnectionLostMidWayIsUnavailableThenThePoolRecovers) {
  Pool pool(db_->url(), 2);
  {
    Result<Pool::Lease> lease = pool.Checkout();
    ASSERT_TRUE(lease.ok());
    ASSERT_TRUE((*lease)->Query("SELECT 1", {}, "select").ok());
    Terminate((*lease)->backend_pid());
    Result<PgResult> lost = (*lease)->Query("SELECT 1", {}, "select");
    ASSERT_FALSE(lost.ok());
    EXPECT_TRUE(lost.status().IsUnavailable()) << lost.status().ToString();
  }  // the broken connection is discarded here
  Result<Pool::Lease> lease = pool.Checkout();
  ASSERT_TRUE(lease.ok());
  EXPECT_TRUE((*lease)->Query("SELECT 1", {}, "select").ok());
}

TEST_F(PgPoolServerTest, BusyPoolMakesCallersWaitForAConnection) {
  Pool pool(db_->url(), 1);
  Result<Pool::Lease> held = pool.Checkout();
  ASSERT_TRUE(held.ok());
  std::thread release([held = std::move(*held)]() mutable {
    std::this_thread::sleep_for(milliseconds(200));
  });
  const Clock::time_point start = Clock::now();
  Result<Pool::Lease> next = pool.Checkout();
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_GE(Since(start), milliseconds(150));
  release.join();
}

TEST_F(PgPoolServerTest, LeftoverTransactionIsRolledBackNotReused) {
  Pool pool(db_->url(), 1);
  ASSERT_TRUE(admin_->Exec("CREATE TABLE t (x int)", "create").ok());
  {
    Result<Pool::Lease> lease = pool.Checkout();
    ASSERT_TRUE((*lease)->Exec("BEGIN; INSERT INTO t VALUES (1)", "open").ok());
  }
  Result<Pool::Lease> lease = pool.Checkout();
  ASSERT_TRUE(lease.ok());
  EXPECT_TRUE((*lease)->idle());
  Result<PgResult> rows = (*lease)->Query("SELECT count(*) FROM t", {}, "count");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->Int(0, 0), 0);
}

}  // namespace
}  // namespace campaignd::store::postgres
