#include "queue/scheduler.h"

#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "core/log_text.h"

namespace campaignd::queue {
namespace {

// Waits between attempts to record an outcome while the store is unavailable.
constexpr std::chrono::milliseconds kRecordRetryFirst{50};
constexpr std::chrono::milliseconds kRecordRetryMax{1000};
// A lane's thread ends after this long without mail.
constexpr std::chrono::seconds kLaneThreadIdle{60};

}  // namespace

std::string UniqueWorkerPrefix() {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  unsigned char rnd[4] = {0};
  RAND_bytes(rnd, sizeof(rnd));
  char suffix[16];
  std::snprintf(suffix, sizeof(suffix), "%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3]);
  return std::string(host) + "-" + std::to_string(getpid()) + "-" + suffix;
}

Scheduler::Scheduler(store::MailQueue& queue, Processor& processor, const Clock& clock,
                     SchedulerOptions options)
    : queue_(queue), processor_(processor), clock_(clock), options_(std::move(options)) {
  owner_ = (options_.worker_prefix.empty() ? UniqueWorkerPrefix() : options_.worker_prefix) +
           "-q";
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  stopping_ = false;
  claimer_ = std::thread([this] { RunClaimer(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mu_);  // a thread between its check and its wait still sees it
    if (!claimer_.joinable()) return;
    stopping_ = true;
    for (auto& [key, lane] : lanes_) lane->work.notify_all();
  }
  wake_.notify_all();
  stop_cv_.notify_all();
  claimer_.join();
  {
    std::unique_lock lock(mu_);
    stop_cv_.wait(lock, [this] { return running_lane_threads_ == 0; });
    for (auto& [key, lane] : lanes_) lane->waiting.clear();
  }
  Status s = queue_.ReleaseClaims(owner_);
  if (!s.ok()) spdlog::warn("scheduler {}: releasing claims: {}", owner_, s.ToString());
}

void Scheduler::Notify() {
  {
    std::lock_guard lock(mu_);
    ++wakeups_;
  }
  wake_.notify_one();
}

void Scheduler::RunClaimer() {
  while (!stopping_) {
    if (ClaimBatch()) continue;
    std::unique_lock lock(mu_);
    if (wakeups_ == 0) {
      wake_.wait_for(lock, options_.idle_poll, [this] { return wakeups_ > 0 || stopping_; });
    }
    wakeups_ = 0;
  }
}

bool Scheduler::ClaimBatch() {
  store::ClaimRequest req;
  req.worker = owner_;
  req.max_retry = options_.claim_batch / 2;
  req.max_fresh = options_.claim_batch - req.max_retry;
  req.now = clock_.Now();
  req.lease = options_.lease;
  std::vector<int64_t> expired;
  {
    std::lock_guard lock(mu_);
    expired = TakeExpired(req.now);
    for (const auto& [key, lane] : lanes_) {
      if (lane->Full()) req.exclude_clients.insert(req.exclude_clients.end(),
                                                   lane->clients.begin(), lane->clients.end());
    }
  }
  Release(expired);
  auto claimed = queue_.Claim(req);
  if (!claimed.ok()) {
    spdlog::error("scheduler {}: claiming mail: {}", owner_, claimed.status().ToString());
    return false;
  }
  if (claimed->empty()) return false;
  // The lane of each client's transport, looked up once per client and batch.
  std::map<int64_t, std::shared_ptr<deliver::Transport>> transports;
  for (const store::Mail& mail : *claimed) {
    if (transports.contains(mail.client_id)) continue;
    auto transport = processor_.TransportForClient(mail.client_id);
    if (!transport.ok()) {
      // The store failed: the processor will meet the same problem and
      // leave the mail to its lease; any lane will do.
      spdlog::warn("scheduler {}: client {}: {}", owner_, mail.client_id,
                   transport.status().ToString());
      transports[mail.client_id] = nullptr;
    } else {
      transports[mail.client_id] = std::move(*transport);
    }
  }
  const TimePoint start_by = req.now + req.lease / 2;
  std::lock_guard lock(mu_);
  for (store::Mail& mail : *claimed) {
    Lane& lane = LaneFor(transports[mail.client_id]);
    lane.clients.insert(mail.client_id);
    lane.waiting.push_back({std::move(mail), start_by});
    StartThreadIfNeeded(lane);
    lane.work.notify_one();
  }
  return true;
}

Scheduler::Lane& Scheduler::LaneFor(const std::shared_ptr<deliver::Transport>& transport) {
  auto it = lanes_.find(transport.get());
  if (it != lanes_.end()) return *it->second;
  auto lane = std::make_unique<Lane>();
  lane->name = transport ? transport->Describe() : "-";
  const int concurrency = transport ? transport->Concurrency() : 0;
  lane->capacity = std::max(1, concurrency > 0 ? concurrency : options_.workers);
  lane_transports_[transport.get()] = transport;
  return *lanes_.emplace(transport.get(), std::move(lane)).first->second;
}

void Scheduler::StartThreadIfNeeded(Lane& lane) {
  const int idle = lane.threads - lane.busy;
  if (lane.threads >= lane.capacity || idle >= static_cast<int>(lane.waiting.size())) return;
  ++lane.threads;
  ++running_lane_threads_;
  std::thread([this, &lane] { RunLane(&lane); }).detach();
}

void Scheduler::RunLane(Lane* lane) {
  Unrecorded unrecorded;  // this thread's outcomes not yet known to be committed
  std::unique_lock lock(mu_);
  for (;;) {
    if (lane->waiting.empty() && !stopping_) {
      if (!unrecorded.empty()) {
        // Nothing to overlap the commit with: wait for it before idling.
        lock.unlock();
        Settle(unrecorded);
        lock.lock();
        continue;
      }
      lane->work.wait_for(lock, kLaneThreadIdle,
                          [&] { return !lane->waiting.empty() || stopping_.load(); });
    }
    if (stopping_ || lane->waiting.empty()) break;
    const bool was_full = lane->Full();
    Item item = std::move(lane->waiting.front());
    lane->waiting.pop_front();
    ++lane->busy;
    if (was_full && !lane->Full()) {
      ++wakeups_;  // its clients may be claimed again
      wake_.notify_one();
    }
    lock.unlock();
    if (clock_.Now() > item.start_by) {
      // Less than half its lease is left: give it back rather than risk
      // another process claiming it while it is in SMTP.
      Release({item.mail.id});
      Notify();
    } else {
      Deliver(item, unrecorded);
    }
    lock.lock();
    --lane->busy;
  }
  lock.unlock();
  Settle(unrecorded);  // before Stop() may release the claims
  lock.lock();
  --lane->threads;
  --running_lane_threads_;
  stop_cv_.notify_all();  // under mu_: Stop() cannot return before this thread let go of it
}

void Scheduler::Deliver(const Item& item, Unrecorded& unrecorded) {
  const store::Mail& mail = item.mail;
  // The previous outcome of this thread is committed before this mail's
  // SMTP transaction starts: at most one delivered, unrecorded mail each.
  auto outcome = processor_.Process(mail, [&] { Settle(unrecorded); });
  if (!outcome.ok()) {
    spdlog::error("scheduler {}: mail {}: {} (retried after the lease)", owner_, mail.id,
                  LogText(outcome.status().ToString()));
    return;
  }
  outcome->worker = owner_;
  if (!outcome->attempted) {
    spdlog::info("mail seq={} client={} mailing={} status={} reason=\"{}\"", mail.id,
                 mail.client_id, mail.mailing_id, MailStatusName(outcome->status),
                 LogText(outcome->reply));
  }
  auto pending = std::make_unique<PendingOutcome>(
      PendingOutcome{std::move(outcome).value(), Status::Ok()});
  {
    std::lock_guard lock(record_mu_);
    to_record_.push_back(pending.get());
  }
  unrecorded.push_back(std::move(pending));
}

std::vector<int64_t> Scheduler::TakeExpired(TimePoint now) {
  std::vector<int64_t> expired;
  for (auto& [key, lane] : lanes_) {
    auto& waiting = lane->waiting;
    auto keep = std::stable_partition(waiting.begin(), waiting.end(),
                                      [now](const Item& i) { return now <= i.start_by; });
    if (keep == waiting.end()) continue;
    spdlog::warn("scheduler {}: lane {}: {} mails waited half their lease; giving them back",
                 owner_, lane->name, waiting.end() - keep);
    for (auto it = keep; it != waiting.end(); ++it) expired.push_back(it->mail.id);
    waiting.erase(keep, waiting.end());
  }
  return expired;
}

void Scheduler::Release(const std::vector<int64_t>& mail_ids) {
  for (int64_t id : mail_ids) {
    Status s = queue_.ReleaseClaim(owner_, id);
    if (!s.ok()) spdlog::warn("scheduler {}: releasing mail {}: {}", owner_, id, s.ToString());
  }
}

void Scheduler::Settle(Unrecorded& unrecorded) {
  {
    std::unique_lock lock(record_mu_);
    for (const auto& mine : unrecorded) {
      while (!mine->done) {
        if (recording_) {
          record_cv_.wait(lock);
          continue;
        }
        // Become the recorder of everything queued so far (this thread's
        // outcomes are among them: they were queued when processed).
        recording_ = true;
        std::vector<PendingOutcome*> batch;
        batch.swap(to_record_);
        lock.unlock();
        RecordBatch(batch);
        lock.lock();
        for (PendingOutcome* p : batch) p->done = true;
        recording_ = false;
        record_cv_.notify_all();
      }
    }
  }
  for (const auto& p : unrecorded) {
    const Status& s = p->status;
    if (s.IsNotFound()) {
      spdlog::warn("scheduler {}: mail {}: claim lost before recording (lease expired)", owner_,
                   p->outcome.mail_id);
    } else if (!s.ok()) {
      spdlog::error("scheduler {}: recording mail {}: {}", owner_, p->outcome.mail_id,
                    s.ToString());
    } else {
      ++recorded_;
    }
  }
  unrecorded.clear();
}

void Scheduler::RecordBatch(const std::vector<PendingOutcome*>& batch) {
  std::vector<PendingOutcome*> left = batch;
  std::chrono::milliseconds wait = kRecordRetryFirst;
  for (;;) {
    std::vector<store::Outcome> outcomes;
    outcomes.reserve(left.size());
    for (const PendingOutcome* p : left) outcomes.push_back(p->outcome);
    std::vector<Status> statuses = queue_.RecordBatch(outcomes);
    std::vector<PendingOutcome*> unavailable;
    for (std::size_t i = 0; i < left.size(); ++i) {
      left[i]->status = std::move(statuses[i]);
      if (left[i]->status.IsUnavailable()) unavailable.push_back(left[i]);
    }
    if (unavailable.empty() || stopping_) return;
    spdlog::warn("scheduler {}: recording {} outcome(s): {}; retrying in {} ms", owner_,
                 unavailable.size(), unavailable.front()->status.ToString(), wait.count());
    std::unique_lock lock(mu_);
    if (stop_cv_.wait_for(lock, wait, [this] { return stopping_.load(); })) return;
    wait = std::min(wait * 2, kRecordRetryMax);
    left = std::move(unavailable);
  }
}

}  // namespace campaignd::queue
