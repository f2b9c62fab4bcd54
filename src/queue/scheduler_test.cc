#include "queue/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "core/mail_id.h"
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

// Forwards to a shared transport (a Processor owns the transports it opens).
struct Forwarding final : deliver::Transport {
  explicit Forwarding(std::shared_ptr<deliver::Transport> to) : t(std::move(to)) {}
  deliver::DeliveryResult Deliver(const deliver::Envelope& e, std::string_view m) override {
    return t->Deliver(e, m);
  }
  std::string Describe() const override { return t->Describe(); }
  int Concurrency() const override { return t->Concurrency(); }
  std::shared_ptr<deliver::Transport> t;
};

// A Processor whose transports are `pick(url)`, shared.
std::unique_ptr<Processor> ProcessorWith(
    QueueTestEnv& env,
    std::function<std::shared_ptr<deliver::Transport>(std::string_view url)> pick) {
  return std::make_unique<Processor>(
      env.store.directory(), env.store.engine().recipients(), env.store.engine().coordination(),
      env.clock, QueueTestEnv::Options(),
      [pick](std::string_view url, const deliver::TransportOptions&)
          -> Result<std::unique_ptr<deliver::Transport>> {
        return std::unique_ptr<deliver::Transport>(std::make_unique<Forwarding>(pick(url)));
      },
      &env.store.engine().attachments());
}

std::unique_ptr<Processor> ProcessorWith(QueueTestEnv& env,
                                         std::shared_ptr<deliver::Transport> transport) {
  return ProcessorWith(env, [transport](std::string_view) { return transport; });
}

// Each delivery takes `took` of the fake clock; before it, a probe claim
// shows whether another worker could take the mail in hand (its lease ran out).
class SlowTransport final : public deliver::Transport {
 public:
  SlowTransport(QueueTestEnv& env, seconds took) : env_(env), took_(took) {}
  deliver::DeliveryResult Deliver(const deliver::Envelope& e, std::string_view) override {
    auto stolen = env_.store.queue().Claim({"probe", 10, 10, env_.clock.Now(), seconds(1)});
    const int64_t in_hand = MailId::Parse(e.mail_id)->sequence();
    std::lock_guard lock(mu_);
    for (const store::Mail& m : *stolen) stealable_ += m.id == in_hand;
    delivered_.push_back(e.mail_id);
    env_.clock.Advance(took_);
    return {deliver::DeliveryKind::kDelivered, 250, "250 ok"};
  }
  std::string Describe() const override { return "slow"; }
  int stealable() {
    std::lock_guard lock(mu_);
    return stealable_;
  }
  std::vector<std::string> delivered() {
    std::lock_guard lock(mu_);
    return delivered_;
  }

 private:
  QueueTestEnv& env_;
  const seconds took_;
  std::mutex mu_;
  int stealable_ = 0;
  std::vector<std::string> delivered_;
};

TEST(SchedulerTest, NoMailIsStartedWithLessThanHalfItsLeaseLeft) {
  QueueTestEnv env;
  std::vector<int64_t> seqs;
  for (int i = 0; i < 4; ++i) seqs.push_back(env.Enqueue("john.smith@example.com"));
  auto slow = std::make_shared<SlowTransport>(env, seconds(40));
  auto processor = ProcessorWith(env, slow);
  SchedulerOptions o = Fast(1);
  o.claim_batch = 8;  // all 4 in one claim (lease 60 s): the third would start at 80 s
  Scheduler scheduler(env.store.queue(), *processor, env.clock, o);
  scheduler.Start();
  ASSERT_TRUE(WaitUntil([&] { return scheduler.recorded() == 4; }));
  scheduler.Stop();
  EXPECT_EQ(slow->stealable(), 0) << "a mail was delivered while another worker could claim it";
  auto ids = slow->delivered();
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 4u);
  for (int64_t seq : seqs) EXPECT_EQ(env.Mail(seq).status, MailStatus::kSent);
}

// A MailQueue whose RecordBatch answers Unavailable `failures` times (a full
// disk, a locked database) before it reaches the real store; its first
// call takes `first_delay` longer (a slow commit). It counts the outcomes
// committed and the size of each batch.
class FlakyRecordQueue final : public store::MailQueue {
 public:
  FlakyRecordQueue(store::MailQueue& real, int failures, milliseconds first_delay = {})
      : real_(real), failures_(failures), first_delay_(first_delay) {}
  Result<int64_t> Enqueue(const store::NewMail& m) override { return real_.Enqueue(m); }
  Result<std::vector<store::Mail>> Claim(const store::ClaimRequest& r) override {
    return real_.Claim(r);
  }
  std::vector<Status> RecordBatch(std::span<const store::Outcome> o) override {
    if (calls++ == 0) std::this_thread::sleep_for(first_delay_);
    if (failures_-- > 0) {
      return std::vector<Status>(o.size(),
                                 Status::Unavailable("database or disk is full (SQLite code 13)"));
    }
    std::vector<Status> statuses = real_.RecordBatch(o);
    std::lock_guard lock(mu_);
    sizes_.push_back(o.size());
    for (const Status& s : statuses) committed += s.ok();
    return statuses;
  }
  std::vector<std::size_t> batch_sizes() {
    std::lock_guard lock(mu_);
    return sizes_;
  }
  Status ReleaseClaims(std::string_view w) override { return real_.ReleaseClaims(w); }
  Status ReleaseClaim(std::string_view w, int64_t id) override {
    return real_.ReleaseClaim(w, id);
  }
  Status ReleaseAllClaims() override { return real_.ReleaseAllClaims(); }
  Result<std::optional<store::Mail>> FindMail(int64_t c, int64_t m) override {
    return real_.FindMail(c, m);
  }
  Result<std::vector<store::MailEvent>> History(int64_t c, int64_t m) override {
    return real_.History(c, m);
  }
  std::atomic<int> calls{0};
  std::atomic<int> committed{0};

 private:
  store::MailQueue& real_;
  std::atomic<int> failures_;
  const milliseconds first_delay_;
  std::mutex mu_;
  std::vector<std::size_t> sizes_;  // guarded by mu_
};

// Delivers every mail after calling `probe` (on the delivering thread).
class ProbeTransport final : public deliver::Transport {
 public:
  explicit ProbeTransport(std::function<void()> probe) : probe_(std::move(probe)) {}
  deliver::DeliveryResult Deliver(const deliver::Envelope&, std::string_view) override {
    probe_();
    return {deliver::DeliveryKind::kDelivered, 250, "250 ok"};
  }
  std::string Describe() const override { return "probe"; }

 private:
  std::function<void()> probe_;
};

// A thread renders its next mail while its last outcome is committed, but
// starts no SMTP transaction before that: a crash finds at most one
// delivered, unrecorded mail per thread (scheduler.h "Recording").
TEST(SchedulerTest, AThreadsLastOutcomeIsCommittedBeforeItsNextAttempt) {
  QueueTestEnv env;
  for (int i = 0; i < 6; ++i) env.Enqueue("john.smith@example.com");
  FlakyRecordQueue counting(env.store.queue(), 0);
  std::mutex mu;
  std::vector<std::pair<int, int>> seen;  // (attempts before, outcomes committed then)
  auto probe = std::make_shared<ProbeTransport>([&] {
    std::lock_guard lock(mu);
    seen.emplace_back(static_cast<int>(seen.size()), counting.committed.load());
  });
  auto processor = ProcessorWith(env, probe);
  Scheduler scheduler(counting, *processor, env.clock, Fast(1));
  scheduler.Start();
  ASSERT_TRUE(WaitUntil([&] { return scheduler.recorded() == 6; }));
  scheduler.Stop();
  ASSERT_EQ(seen.size(), 6u);
  for (const auto& [before, committed] : seen) EXPECT_EQ(committed, before);
  EXPECT_EQ(counting.committed.load(), 6);
}

// Outcomes that finish while another batch is being committed go to the
// store together: one RecordBatch (one transaction) for several mails.
TEST(SchedulerTest, OutcomesFinishedTogetherAreRecordedInOneBatch) {
  QueueTestEnv env;
  std::vector<int64_t> seqs;
  for (int i = 0; i < 8; ++i) seqs.push_back(env.Enqueue("john.smith@example.com"));
  // The first commit takes 300 ms: the other threads' outcomes queue meanwhile.
  FlakyRecordQueue slow(env.store.queue(), 0, milliseconds(300));
  SchedulerOptions o = Fast(4);
  o.claim_batch = 8;
  Scheduler scheduler(slow, env.processor, env.clock, o);
  scheduler.Start();
  ASSERT_TRUE(WaitUntil([&] { return scheduler.recorded() == 8; }));
  scheduler.Stop();
  std::vector<std::size_t> sizes = slow.batch_sizes();
  std::size_t total = 0;
  for (std::size_t n : sizes) total += n;
  EXPECT_EQ(total, 8u);
  EXPECT_GT(*std::max_element(sizes.begin(), sizes.end()), 1u) << "every outcome alone";
  EXPECT_LT(sizes.size(), 8u);
  for (int64_t seq : seqs) {
    EXPECT_EQ(env.Mail(seq).status, MailStatus::kSent);
    EXPECT_EQ(env.store.queue().History(1, seq)->size(), 3u) << "enqueued, sending, sent";
  }
}

TEST(SchedulerTest, AnOutcomeIsRecordedOnceTheStoreIsBack) {
  QueueTestEnv env;
  int64_t seq = env.Enqueue("john.smith@example.com");
  FlakyRecordQueue flaky(env.store.queue(), 3);
  Scheduler scheduler(flaky, env.processor, env.clock, Fast(2));
  scheduler.Start();
  // The fake clock stands still: only a retry, not an expired lease, records it.
  ASSERT_TRUE(WaitUntil([&] { return scheduler.recorded() == 1; }));
  scheduler.Stop();
  EXPECT_EQ(flaky.calls.load(), 4);
  EXPECT_EQ(env.transport->deliveries().size(), 1u);
  EXPECT_EQ(env.Mail(seq).status, MailStatus::kSent);
}

TEST(SchedulerTest, StopDoesNotWaitForAStoreThatStaysUnavailable) {
  QueueTestEnv env;
  env.Enqueue("john.smith@example.com");
  FlakyRecordQueue flaky(env.store.queue(), 1'000'000);
  Scheduler scheduler(flaky, env.processor, env.clock, Fast(1));
  scheduler.Start();
  ASSERT_TRUE(WaitUntil([&] { return flaky.calls.load() >= 2; }));
  auto start = std::chrono::steady_clock::now();
  scheduler.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(2));
  EXPECT_EQ(scheduler.recorded(), 0u);
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
  auto gated = ProcessorWith(env, gate);
  SchedulerOptions o = Fast(1);
  o.lease = seconds(300);
  Scheduler scheduler(env.store.queue(), *gated, env.clock, o);
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

// Holds every delivery until Open(), `connections` at a time, as a relay
// that accepts the connection and never answers after DATA.
class HangingRelay final : public deliver::Transport {
 public:
  explicit HangingRelay(int connections) : connections_(connections) {}
  deliver::DeliveryResult Deliver(const deliver::Envelope&, std::string_view) override {
    std::unique_lock lock(mu_);
    ++inside_;
    peak_ = std::max(peak_, inside_);
    cv_.wait(lock, [this] { return open_; });
    --inside_;
    return {deliver::DeliveryKind::kDelivered, 250, "250 late"};
  }
  std::string Describe() const override { return "smtp://hanging.example"; }
  int Concurrency() const override { return connections_; }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  int inside() {
    std::lock_guard lock(mu_);
    return inside_;
  }
  int peak() {
    std::lock_guard lock(mu_);
    return peak_;
  }

 private:
  const int connections_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int inside_ = 0, peak_ = 0;
};

// Issue 15 item 1: client 2's relay hangs with 2 sessions and 12 of its
// mails queued first; client 1's mail is delivered all the same, nobody
// waits for client 2's sessions, and client 2's relay never gets more than
// its connections=.
TEST(SchedulerTest, ARelayThatHangsHoldsOnlyItsOwnLane) {
  QueueTestEnv env;
  store::ClientSpec second = testing::ShoeStore(2);
  second.client.transport = "smtp://hanging.example";
  ASSERT_TRUE(env.store.provisioner().Apply({second}).ok());
  auto hanging = std::make_shared<HangingRelay>(2);
  auto processor = ProcessorWith(env, [&env, hanging](std::string_view url) {
    return url == "smtp://hanging.example" ? std::shared_ptr<deliver::Transport>(hanging)
                                           : std::shared_ptr<deliver::Transport>(env.transport);
  });
  for (int i = 0; i < 12; ++i) {
    store::NewMail m{2, 10100, 15004, "john.smith@example.com", {}, env.clock.Now()};
    ASSERT_TRUE(env.store.queue().Enqueue(m).ok());
  }
  for (int i = 0; i < 10; ++i) env.Enqueue("jane@example.com");
  SchedulerOptions o = Fast(4);
  o.claim_batch = 16;  // the first claim takes client 2's mail and some of client 1's
  Scheduler scheduler(env.store.queue(), *processor, env.clock, o);
  scheduler.Start();
  ASSERT_TRUE(WaitUntil([&] { return scheduler.recorded() == 10; }))
      << env.transport->deliveries().size() << " of client 1's mails delivered";
  EXPECT_EQ(env.transport->deliveries().size(), 10u);
  EXPECT_EQ(hanging->inside(), 2);
  // Client 2's waiting mail is neither started nor sending.
  int enqueued = 0;
  for (int64_t id = 1; id <= 12; ++id) {
    auto mail = env.store.queue().FindMail(2, id);
    ASSERT_TRUE(mail.ok() && mail->has_value());
    enqueued += (*mail)->status == MailStatus::kEnqueued;
  }
  EXPECT_EQ(enqueued, 12);
  hanging->Open();
  ASSERT_TRUE(WaitUntil([&] { return scheduler.recorded() == 22; }));
  scheduler.Stop();
  EXPECT_EQ(hanging->peak(), 2);
}

// getsendstatus must not say `sending` for a mail that only waits in a
// claimed batch: a claim changes no status; the first attempt does.
TEST(SchedulerTest, AClaimedMailIsStillEnqueuedUntilItsFirstAttempt) {
  QueueTestEnv env;
  int64_t seq = env.Enqueue("john.smith@example.com");
  auto claimed = env.store.queue().Claim({"probe", 4, 4, env.clock.Now(), seconds(60)});
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ(env.Mail(seq).status, MailStatus::kEnqueued);
  EXPECT_EQ(env.store.queue().History(1, seq)->size(), 1u);
  // A claim that leaves client 1 out finds nothing.
  ASSERT_TRUE(env.store.queue().ReleaseClaim("probe", seq).ok());
  store::ClaimRequest req{"probe", 4, 4, env.clock.Now(), seconds(60)};
  req.exclude_clients = {1};
  EXPECT_TRUE(env.store.queue().Claim(req)->empty());
  req.exclude_clients = {2, 3};
  EXPECT_EQ(env.store.queue().Claim(req)->size(), 1u);
}

}  // namespace
}  // namespace campaignd::queue
