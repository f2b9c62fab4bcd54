// The worker role's retention purge (events.md §6): store::PurgeExpired
// once at Start and then every `interval` on a thread of its own (never
// a delivery lane's: a long purge does not hold up mail), the counts
// logged when something was deleted, a failure logged and retried at the
// next interval.
// Threads: one of its own; Start/Stop from one thread. Stop ends a run
// between two batches and joins the thread.
#ifndef CAMPAIGND_QUEUE_RETENTION_H_
#define CAMPAIGND_QUEUE_RETENTION_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "core/clock.h"
#include "store/retention.h"
#include "store/sql_session.h"

namespace campaignd::queue {

class RetentionPurger {
 public:
  // REQUIRES: `runner` and `clock` outlive this; interval > 0.
  RetentionPurger(store::SqlRunner& runner, const Clock& clock, store::RetentionPolicy policy,
                  std::chrono::milliseconds interval);
  ~RetentionPurger();  // Stop()
  void Start();
  void Stop();
  // Runs finished (successful or not): tests wait for one.
  int64_t runs() const { return runs_.load(); }

 private:
  void Run();

  store::SqlRunner& runner_;
  const Clock& clock_;
  const store::RetentionPolicy policy_;
  const std::chrono::milliseconds interval_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> runs_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace campaignd::queue

#endif  // CAMPAIGND_QUEUE_RETENTION_H_
