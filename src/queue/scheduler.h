// Scheduler: the delivery workers (Postfix's qmgr + smtp processes in one).
//
// STRATEGIES
// Claims. A worker claims a batch of due mails with a lease (store/
// MailQueue::Claim). While it holds the lease no other worker - in this
// process or another one sharing the database - takes those mails. A worker
// that dies loses its claims when the lease runs out (default 5 min, knob
// `lease`) and another worker delivers them: delivery is at-least-once, and
// only a mail that was mid-SMTP when its worker died can be delivered twice.
// On a clean stop a worker finishes the mail in hand and gives the rest of
// its batch back at once (ReleaseClaims).
//
// Fairness. New mail must never wait behind a backlog of retries (Postfix
// takes one message from "incoming" and one from "deferred" in turn). Each
// claim asks for at most half a batch of never-attempted mail and half a
// batch of deferred mail, so with both kinds due each gets half of the
// delivery capacity; when one kind is short, the next claim follows
// immediately (a worker claims again without waiting as long as the last
// claim returned mail), so capacity is never left idle.
//
// Waking. An enqueue wakes one idle worker at once (Notify, from ops/ via
// the injected Notifier); idle workers also look for due mail every
// `idle_poll` (default 1 s) so deferred mail and other processes' mail are
// found without a wake-up.
//
// Concurrency. `workers` threads (default 8) deliver in parallel; the
// transports bound the SMTP connections per relay (transport URL
// `connections=`, default 4) and their rate (`rate=`).
//
// Leases and the store. A worker starts a mail of its batch only while at
// least half of the batch's lease is left (it gives the rest back and claims
// again), so a slow batch never outlives its lease. An outcome that cannot
// be recorded because the store is unavailable (disk full, database locked)
// is retried until it is recorded or Stop(): the mail was delivered, and
// giving it up would let another worker deliver it again after the lease.
//
// Stop conditions. Stop() wakes every worker, waits for the mail in hand to
// be recorded, releases the remaining claims and joins the threads.
// A failed claim makes a worker log it and wait `idle_poll` before trying
// again; its claims expire and are retried, nothing is lost.
// Threads: Start/Stop from one thread; Notify from any.
#ifndef CAMPAIGND_QUEUE_SCHEDULER_H_
#define CAMPAIGND_QUEUE_SCHEDULER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/limits.h"
#include "core/notifier.h"
#include "queue/processor.h"
#include "store/store.h"

namespace campaignd::queue {

struct SchedulerOptions {
  int workers = 8;
  std::size_t claim_batch = 16;
  std::chrono::seconds lease = limits::kClaimLease;
  std::chrono::milliseconds idle_poll = limits::kIdlePoll;
  std::string worker_prefix;  // unique per process; empty: host-pid-random
};

class Scheduler final : public Notifier {
 public:
  Scheduler(store::MailQueue& queue, Processor& processor, const Clock& clock,
            SchedulerOptions options);
  ~Scheduler() override;

  void Start();
  // Finishes the mails in hand, releases the other claims, joins. Idempotent.
  void Stop();
  void Notify() override;

  // Outcomes recorded since Start (for tests and logs).
  uint64_t recorded() const { return recorded_.load(); }

 private:
  void RunWorker(const std::string& worker_id);
  // Claims and processes one batch; false when nothing was due.
  bool RunBatch(const std::string& worker_id);
  // queue_.Record, retried while the store is Unavailable until Stop().
  Status RecordOutcome(const std::string& worker_id, const store::Outcome& outcome);
  void WaitForWork(std::chrono::milliseconds timeout);

  // Constant after construction.
  store::MailQueue& queue_;
  Processor& processor_;
  const Clock& clock_;
  const SchedulerOptions options_;
  std::string prefix_;

  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable stop_cv_;  // Stop() wakes a worker waiting to retry a Record
  uint64_t wakeups_ = 0;  // guarded by mu_
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> recorded_{0};
  std::vector<std::thread> threads_;
};

// "host-pid-XXXXXX": a worker prefix no other process shares.
std::string UniqueWorkerPrefix();

}  // namespace campaignd::queue

#endif  // CAMPAIGND_QUEUE_SCHEDULER_H_
