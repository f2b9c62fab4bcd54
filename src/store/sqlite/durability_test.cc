// An `enqueued` answer must survive a crash (behaviour.md §4.2): a child
// process enqueues, reports each returned id through a pipe, and is killed
// with SIGKILL (no Close, no checkpoint); the parent reopens the database
// and must find every reported mail with its `enqueued` event.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "store/sqlite/sqlite_testutil.h"

namespace campaignd::store::sqlite {
namespace {

const TimePoint kT0 = FromUnixMillis(1'700'000'000'000);

class SqliteDurabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<SqliteEngine>> engine = SqliteEngine::Open(path(), {});
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    ASSERT_TRUE((*engine)->provisioner().Apply({SampleClient(1)}).ok());
    // Closed before fork(): no connection or thread is carried into the child.
  }

  std::string path() const { return dir_.File("crash.db"); }

  // Runs `enqueue_loop(report)` in a child that is killed by SIGKILL: by
  // itself when the loop returns, or by the parent once `kill_after` ids
  // arrived (0: never). Returns the ids the child reported.
  std::vector<int64_t> RunAndKill(int threads, int per_thread, std::size_t kill_after) {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    if (pid == 0) {
      ::close(fds[0]);
      ChildEnqueue(fds[1], threads, per_thread);
      ::raise(SIGKILL);
      ::_exit(3);  // not reached
    }
    ::close(fds[1]);
    std::vector<int64_t> ids;
    int64_t id = 0;
    while (::read(fds[0], &id, sizeof id) == static_cast<ssize_t>(sizeof id)) {
      ids.push_back(id);
      if (kill_after != 0 && ids.size() == kill_after) ::kill(pid, SIGKILL);
    }
    ::close(fds[0]);
    int wstatus = 0;
    EXPECT_EQ(::waitpid(pid, &wstatus, 0), pid);
    EXPECT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL) << "status " << wstatus;
    return ids;
  }

  // In the child: never returns into the test framework on failure.
  void ChildEnqueue(int report_fd, int threads, int per_thread) {
    Result<std::unique_ptr<SqliteEngine>> engine = SqliteEngine::Open(path(), {});
    if (!engine.ok()) ::_exit(1);
    MailQueue& queue = (*engine)->queue();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&queue, report_fd, per_thread] {
        for (int i = 0; i < per_thread; ++i) {
          Result<int64_t> id = queue.Enqueue({1, 10, 100, "a@example.com", {}, kT0});
          if (!id.ok()) ::_exit(2);
          int64_t value = *id;  // 8 bytes < PIPE_BUF: one atomic write
          if (::write(report_fd, &value, sizeof value) != sizeof value) ::_exit(4);
        }
      });
    }
    for (std::thread& worker : workers) worker.join();
  }

  void ExpectStored(const std::vector<int64_t>& ids) {
    Result<std::unique_ptr<SqliteEngine>> engine = SqliteEngine::Open(path(), {});
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    for (int64_t id : ids) {
      Result<std::optional<Mail>> mail = (*engine)->queue().FindMail(1, id);
      ASSERT_TRUE(mail.ok() && mail->has_value()) << "mail " << id << " lost";
      EXPECT_EQ((*mail)->status, MailStatus::kEnqueued);
      Result<std::vector<MailEvent>> history = (*engine)->queue().History(1, id);
      ASSERT_TRUE(history.ok());
      ASSERT_EQ(history->size(), 1u) << "mail " << id;
      EXPECT_EQ((*history)[0].status, MailStatus::kEnqueued);
    }
  }

  TempDir dir_ = MakeTestDir();
};

TEST_F(SqliteDurabilityTest, EnqueuedMailSurvivesKill) {
  std::vector<int64_t> ids = RunAndKill(/*threads=*/1, /*per_thread=*/3, /*kill_after=*/0);
  ASSERT_EQ(ids.size(), 3u);
  ExpectStored(ids);
}

TEST_F(SqliteDurabilityTest, KillDuringGroupCommitLosesNoAnsweredMail) {
  // Killed while eight threads keep the writer busy: batches are in flight.
  std::vector<int64_t> ids = RunAndKill(/*threads=*/8, /*per_thread=*/1000, /*kill_after=*/200);
  ASSERT_GE(ids.size(), 200u);
  ASSERT_LT(ids.size(), 8000u) << "the kill came too late to test anything";
  ExpectStored(ids);
}

}  // namespace
}  // namespace campaignd::store::sqlite
