#include "queue/scheduler.h"

#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>

#include <spdlog/spdlog.h>

namespace campaignd::queue {
namespace {

// Waits between attempts to record an outcome while the store is unavailable.
constexpr std::chrono::milliseconds kRecordRetryFirst{50};
constexpr std::chrono::milliseconds kRecordRetryMax{1000};

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
  prefix_ = options_.worker_prefix.empty() ? UniqueWorkerPrefix() : options_.worker_prefix;
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  for (int i = 0; i < options_.workers; ++i) {
    std::string id = prefix_ + "-w" + std::to_string(i);
    threads_.emplace_back([this, id] { RunWorker(id); });
  }
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mu_);  // a worker between its check and its wait still sees it
    stopping_ = true;
  }
  wake_.notify_all();
  stop_cv_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

void Scheduler::Notify() {
  {
    std::lock_guard lock(mu_);
    ++wakeups_;
  }
  wake_.notify_one();
}

void Scheduler::WaitForWork(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (wakeups_ == 0) {
    wake_.wait_for(lock, timeout, [this] { return wakeups_ > 0 || stopping_; });
  }
  if (wakeups_ > 0) --wakeups_;
}

void Scheduler::RunWorker(const std::string& worker_id) {
  while (!stopping_) {
    if (!RunBatch(worker_id)) WaitForWork(options_.idle_poll);
  }
  Status s = queue_.ReleaseClaims(worker_id);
  if (!s.ok()) spdlog::warn("worker {}: releasing claims: {}", worker_id, s.ToString());
}

bool Scheduler::RunBatch(const std::string& worker_id) {
  store::ClaimRequest req;
  req.worker = worker_id;
  req.max_retry = options_.claim_batch / 2;
  req.max_fresh = options_.claim_batch - req.max_retry;
  req.now = clock_.Now();
  req.lease = options_.lease;
  auto claimed = queue_.Claim(req);
  if (!claimed.ok()) {
    spdlog::error("worker {}: claiming mail: {}", worker_id, claimed.status().ToString());
    WaitForWork(options_.idle_poll);
    return false;
  }
  // A mail is started only while at least half its lease is left, so it is
  // recorded before the lease runs out and no other worker can claim it and
  // deliver it a second time (the rest of the batch is given back instead).
  const TimePoint start_by = req.now + req.lease / 2;
  for (const store::Mail& mail : *claimed) {
    if (stopping_) break;  // the rest goes back with ReleaseClaims
    if (clock_.Now() > start_by) {
      spdlog::warn("worker {}: half the lease is gone; giving back the rest of the batch",
                   worker_id);
      Status s = queue_.ReleaseClaims(worker_id);
      if (!s.ok()) spdlog::warn("worker {}: releasing claims: {}", worker_id, s.ToString());
      break;
    }
    auto outcome = processor_.Process(mail);
    if (!outcome.ok()) {
      spdlog::error("worker {}: mail {}: {} (retried after the lease)", worker_id, mail.id,
                    outcome.status().ToString());
      continue;
    }
    outcome->worker = worker_id;
    if (!outcome->attempted) {
      spdlog::info("mail seq={} client={} mailing={} status={} reason=\"{}\"", mail.id,
                   mail.client_id, mail.mailing_id, MailStatusName(outcome->status),
                   outcome->reply);
    }
    Status s = RecordOutcome(worker_id, *outcome);
    if (s.IsNotFound()) {
      spdlog::warn("worker {}: mail {}: claim lost before recording (lease expired)", worker_id,
                   mail.id);
    } else if (!s.ok()) {
      spdlog::error("worker {}: recording mail {}: {}", worker_id, mail.id, s.ToString());
    } else {
      ++recorded_;
    }
  }
  return !claimed->empty();
}

Status Scheduler::RecordOutcome(const std::string& worker_id, const store::Outcome& outcome) {
  std::chrono::milliseconds wait = kRecordRetryFirst;
  for (;;) {
    Status s = queue_.Record(outcome);
    if (!s.IsUnavailable() || stopping_) return s;
    spdlog::warn("worker {}: recording mail {}: {}; retrying in {} ms", worker_id,
                 outcome.mail_id, s.ToString(), wait.count());
    std::unique_lock lock(mu_);
    if (stop_cv_.wait_for(lock, wait, [this] { return stopping_.load(); })) return s;
    wait = std::min(wait * 2, kRecordRetryMax);
  }
}

}  // namespace campaignd::queue
