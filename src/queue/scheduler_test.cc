#include "queue/scheduler.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "queue/queue_test_env.h"

namespace campaignd::queue {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Waits (real time) until `done` holds or 10 s pass.
template <typename Pred>
bool WaitUntil(Pred done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return done();
}

SchedulerOptions Fast(int workers) {
  SchedulerOptions o;
  o.workers = workers;
  o.claim_batch = 4;
  o.idle_poll = milliseconds(20);
  o.lease = seconds(60);
  o.worker_prefix = "test";
  return o;
}

TEST(SchedulerTest, DeliversEveryMailExactlyOnce) {
  QueueTestEnv env;
  std::vector<int64_t> seqs;
  for (int i = 0; i < 60; ++i) seqs.push_back(env.Enqueue("john.smith@example.com", 5004));
  Scheduler scheduler(env.store.queue(), env.processor, env.clock, Fast(4));
  scheduler.Start();
  ASSERT_TRUE(WaitUntil([&] { return scheduler.recorded() == 60; }));
  scheduler.Stop();
  std::multiset<std::string> ids;
  for (const auto& d : env.transport->deliveries()) ids.insert(d.envelope.mail_id);
  EXPECT_EQ(ids.size(), 60u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 60u);
  for (int64_t seq : seqs) {
    EXPECT_EQ(env.Mail(seq).status, MailStatus::kSent);
    auto h = env.store.queue().History(1, seq);
    ASSERT_EQ(h->size(), 3u);  // enqueued, sending, sent
    EXPECT_EQ((*h)[1].status, MailStatus::kSending);
    EXPECT_EQ((*h)[2].status, MailStatus::kSent);
  }
}

TEST(SchedulerTest, NotifyWakesAnIdleWorkerAtOnce) {
  QueueTestEnv env;
  SchedulerOptions o = Fast(1);
  o.idle_poll = seconds(30);  // only a wake-up can explain a fast delivery
  Scheduler scheduler(env.store.queue(), env.processor, env.clock, o);
  scheduler.Start();
  std::this_thread::sleep_for(milliseconds(100));  // the worker is idle now
  auto start = std::chrono::steady_clock::now();
  env.Enqueue("john.smith@example.com");
  scheduler.Notify();
  ASSERT_TRUE(WaitUntil([&] { return scheduler.recorded() == 1; }));
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(2));
  scheduler.Stop();
}

TEST(SchedulerTest, TemporaryFailureIsRetriedAfterTheBackoff) {
  QueueTestEnv env;
  env.transport->Script({{deliver::DeliveryKind::kTemporaryFailure, 451, "451 4.3.0 busy"}});
  int64_t seq = env.Enqueue("john.smith@example.com");
  Scheduler scheduler(env.store.queue(), env.processor, env.clock, Fast(1));
  scheduler.Start();
  ASSERT_TRUE(WaitUntil([&] { return scheduler.recorded() == 1; }));
  store::Mail deferred = env.Mail(seq);
  EXPECT_EQ(deferred.status, MailStatus::kSending);
  EXPECT_EQ(deferred.attempts, 1);
  EXPECT_EQ(deferred.last_reply, "451 4.3.0 busy");
  EXPECT_EQ(deferred.next_attempt_at, env.clock.Now() + seconds(60));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(scheduler.recorded(), 1u);  // not due yet
  env.clock.Advance(seconds(61));
  ASSERT_TRUE(WaitUntil([&] { return scheduler.recorded() == 2; }));
  scheduler.Stop();
  store::Mail sent = env.Mail(seq);
  EXPECT_EQ(sent.status, MailStatus::kSent);
  EXPECT_EQ(sent.attempts, 2);
  auto h = env.store.queue().History(1, seq);
  ASSERT_EQ(h->size(), 4u);  // enqueued, sending, sending (deferred), sent
  EXPECT_EQ((*h)[2].reply, "451 4.3.0 busy");
}

TEST(SchedulerTest, FreshMailIsNotStarvedByRetries) {
  QueueTestEnv env;
  // 8 deferred mails already due, then 8 fresh ones.
  env.transport->Script(std::vector<deliver::DeliveryResult>(
      8, {deliver::DeliveryKind::kTemporaryFailure, 451, "451 later"}));
  std::vector<int64_t> deferred;
  for (int i = 0; i < 8; ++i) deferred.push_back(env.Enqueue("john.smith@example.com"));
  {
    Scheduler first(env.store.queue(), env.processor, env.clock, Fast(1));
    first.Start();
    ASSERT_TRUE(WaitUntil([&] { return first.recorded() == 8; }));
    first.Stop();
  }
  env.clock.Advance(seconds(120));
  for (int i = 0; i < 8; ++i) env.Enqueue("jane@example.com");
  // One claim of a batch of 4 takes 2 fresh and 2 retries.
  auto claimed = env.store.queue().Claim({"probe", 2, 2, env.clock.Now(), seconds(60)});
  ASSERT_TRUE(claimed.ok());
  int fresh = 0;
  for (const auto& m : *claimed) fresh += m.attempts == 0;
  EXPECT_EQ(claimed->size(), 4u);
  EXPECT_EQ(fresh, 2);
}

// Blocks every delivery until Open(); tells when one has started.
class GateTransport final : public deliver::Transport {
 public:
  deliver::DeliveryResult Deliver(const deliver::Envelope&, std::string_view) override {
    std::unique_lock lock(mu_);
    entered_ = true;
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
    return {deliver::DeliveryKind::kDelivered, 250, "250 ok"};
  }
  std::string Describe() const override { return "gate"; }
  void WaitEntered() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return entered_; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false, open_ = false;
};

TEST(SchedulerTest, StopFinishesTheMailInHandAndGivesTheRestBack) {
  QueueTestEnv env;
  for (int i = 0; i < 4; ++i) env.Enqueue("john.smith@example.com");
  auto gate = std::make_shared<GateTransport>();
  Processor gated(env.store.directory(), env.store.engine().coordination(), env.clock,
                  QueueTestEnv::Options(),
                  [gate](std::string_view, const deliver::TransportOptions&)
                      -> Result<std::unique_ptr<deliver::Transport>> {
                    struct Fwd final : deliver::Transport {
                      std::shared_ptr<GateTransport> g;
                      deliver::DeliveryResult Deliver(const deliver::Envelope& e,
                                                      std::string_view m) override {
                        return g->Deliver(e, m);
                      }
                      std::string Describe() const override { return "gate"; }
                    };
                    auto f = std::make_unique<Fwd>();
                    f->g = gate;
                    return std::unique_ptr<deliver::Transport>(std::move(f));
                  });
  SchedulerOptions o = Fast(1);
  o.lease = seconds(300);
  Scheduler scheduler(env.store.queue(), gated, env.clock, o);
  scheduler.Start();
  gate->WaitEntered();  // the worker holds 4 claims and delivers the first
  std::thread stopper([&] { scheduler.Stop(); });
  std::this_thread::sleep_for(milliseconds(50));
  gate->Open();
  stopper.join();
  EXPECT_EQ(scheduler.recorded(), 1u);  // the mail in hand was finished and recorded
  // The other three are claimable at once, long before their lease ends.
  auto again = env.store.queue().Claim({"other", 10, 10, env.clock.Now(), seconds(300)});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->size(), 3u);
}

}  // namespace
}  // namespace campaignd::queue
