// Scheduler: the delivery workers (Postfix's qmgr + smtp processes in one).
//
// STRATEGIES
// Claims. One claimer thread claims batches of due mails with a lease
// (store/MailQueue::Claim) in the name of this process (one lease owner).
// While the lease holds no other process takes those mails. A process that
// dies loses its claims when the lease runs out (default 5 min, knob
// `lease`) and another one delivers them: delivery is at-least-once, and
// only a mail that was mid-SMTP when its process died can be delivered
// twice. On a clean stop the mails in hand are finished and the rest of the
// claims are given back at once (ReleaseClaims).
//
// Lanes (fairness across clients and relays). A claimed mail goes to the
// lane of its client's transport (Processor::TransportForClient): one lane
// per relay (transport URL), as Postfix has one queue per destination. A
// lane runs at most Transport::Concurrency() deliveries at once (the
// relay's connections=; `workers` for a directory), each on a thread of its
// own, so a relay that hangs holds only its own lane's threads, and every
// other relay's mail is delivered as if it did not exist: no thread ever
// waits for a session of another relay, and no claimed batch holds other
// clients' mail behind a slow one. A lane that has more mail waiting than
// half its concurrency is "full": the next claims leave its clients out
// (ClaimRequest::exclude_clients), so a saturated relay cannot fill the
// process with mail it cannot send. Threads of a lane start when mail
// waits and end after a minute without work.
//
// Fresh mail before retries. New mail must never wait behind a backlog of
// retries (Postfix takes one message from "incoming" and one from
// "deferred" in turn). Each claim asks for at most half a batch of
// never-attempted mail and half a batch of deferred mail.
//
// Waking. An enqueue wakes the claimer at once (Notify, from ops/ via the
// injected Notifier); it also looks for due mail every `idle_poll`
// (default 1 s), and whenever a lane stops being full.
//
// Leases and the store. A mail is started only while at least half of its
// lease is left; a mail still waiting then is given back (ReleaseClaim) and
// claimed again later, so a slow lane never outlives its lease. An outcome
// that cannot be recorded because the store is unavailable (disk full,
// database locked) is retried until it is recorded or Stop(): the mail was
// delivered, and giving it up would let another process deliver it again.
//
// Recording (group commit of outcomes, as Postfix's qmgr updates its queue
// files per batch). A lane thread does not wait for its outcome to be
// committed before it takes its next mail: it judges, renders and signs
// that one meanwhile, and waits only right before the next SMTP attempt
// (Processor::Process's before_attempt), before it idles and before it
// ends. So a crash finds at most one delivered but unrecorded mail per
// thread (the bound test_crash checks), and the outcomes of all lanes are
// recorded together: the first thread that needs its outcome committed
// becomes the recorder and writes every outcome queued so far with ONE
// MailQueue::RecordBatch (one transaction); the ones queued while it
// records go with the next. Each keeps its own Status (a lost claim is
// NotFound for that mail alone).
//
// Stop conditions. Stop() wakes every thread, waits for the mails in hand
// to be recorded, releases the remaining claims and joins. A failed claim
// is logged and tried again after `idle_poll`; nothing is lost.
// Threads: Start/Stop from one thread; Notify from any.
#ifndef CAMPAIGND_QUEUE_SCHEDULER_H_
#define CAMPAIGND_QUEUE_SCHEDULER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
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
  // Deliveries at once into a transport without a limit of its own (a
  // directory), and for mail that needs no transport (vetoed, filtered...).
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
  // The lease owner of this process's claims.
  const std::string& owner() const { return owner_; }

 private:
  struct Item {
    store::Mail mail;
    TimePoint start_by;  // claimed at + lease / 2
  };
  struct Lane {
    std::string name;  // the transport's Describe(), for logs
    int capacity = 1;
    int threads = 0;  // alive
    int busy = 0;     // with a mail in hand
    std::deque<Item> waiting;
    std::set<int64_t> clients;  // whose mail came here
    std::condition_variable work;
    bool Full() const { return static_cast<int>(waiting.size()) > capacity / 2; }
  };

  void RunClaimer();
  // Claims one batch and hands it to the lanes; false when nothing was due.
  bool ClaimBatch();
  void RunLane(Lane* lane);
  // An outcome on its way to the store (Recording above).
  struct PendingOutcome {
    store::Outcome outcome;
    Status status;
    bool done = false;  // guarded by record_mu_
  };
  using Unrecorded = std::vector<std::unique_ptr<PendingOutcome>>;
  // Processes one mail and queues its outcome, adding it to `unrecorded`
  // (the calling thread's outcomes not yet known to be committed).
  void Deliver(const Item& item, Unrecorded& unrecorded);
  // Gives back the mails that waited past their start_by. REQUIRES: mu_ held.
  std::vector<int64_t> TakeExpired(TimePoint now);
  void Release(const std::vector<int64_t>& mail_ids);
  // Waits until every outcome in `unrecorded` is committed (or failed),
  // recording the queued ones if no other thread is; logs and counts them.
  void Settle(Unrecorded& unrecorded);
  // queue_.RecordBatch of `batch`, the outcomes the store answers
  // Unavailable retried until they are recorded or Stop().
  void RecordBatch(const std::vector<PendingOutcome*>& batch);
  // The lane for `transport` (null: mail that needs none). REQUIRES: mu_ held.
  Lane& LaneFor(const std::shared_ptr<deliver::Transport>& transport);
  // Starts a thread for `lane` if mail waits for one. REQUIRES: mu_ held.
  void StartThreadIfNeeded(Lane& lane);

  // Constant after construction.
  store::MailQueue& queue_;
  Processor& processor_;
  const Clock& clock_;
  const SchedulerOptions options_;
  std::string owner_;

  std::mutex mu_;
  std::condition_variable wake_;     // the claimer: new mail, a lane no longer full, stop
  std::condition_variable stop_cv_;  // Stop(): threads ending; a Record retry waiting
  uint64_t wakeups_ = 0;             // guarded by mu_
  // Guarded by mu_. Keyed by transport (null: no transport); a lane keeps
  // its transport alive. Lanes are never removed while the scheduler runs.
  std::map<const deliver::Transport*, std::unique_ptr<Lane>> lanes_;
  std::map<const deliver::Transport*, std::shared_ptr<deliver::Transport>> lane_transports_;
  int running_lane_threads_ = 0;  // guarded by mu_
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> recorded_{0};
  // The outcomes waiting to be recorded (Settle). Never held with mu_.
  std::mutex record_mu_;
  std::condition_variable record_cv_;            // a batch was recorded
  std::vector<PendingOutcome*> to_record_;       // guarded by record_mu_
  bool recording_ = false;                       // guarded by record_mu_
  std::thread claimer_;
};

// "host-pid-XXXXXX": a worker prefix no other process shares.
std::string UniqueWorkerPrefix();

}  // namespace campaignd::queue

#endif  // CAMPAIGND_QUEUE_SCHEDULER_H_
