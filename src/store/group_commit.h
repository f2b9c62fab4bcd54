// GroupCommit<Unit>: the hand-off both group committers share - SQLite's
// writer (sqlite/writer.h) and PostgreSQL's enqueue batcher
// (postgres/enqueue_batcher.h). Callers queue units; one thread takes every
// pending one (at most limits::kMaxGroupCommit) and hands the batch to
// `run`, while new units queue up for the next batch; then each unit is
// handed to `complete` on the thread and deleted. A caller that waits for
// its unit does so in `complete` (a promise).
// Threads: Queue, pending and Close from any thread; `run` and `complete`
// on the thread.
#ifndef CAMPAIGND_STORE_GROUP_COMMIT_H_
#define CAMPAIGND_STORE_GROUP_COMMIT_H_

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "core/limits.h"

namespace campaignd::store {

template <typename Unit>
class GroupCommit {
 public:
  using Run = std::function<void(std::span<Unit*>)>;
  using Complete = std::function<void(Unit&)>;

  // Starts the thread. REQUIRES: what `run` and `complete` use outlives
  // Close() (declare this member last).
  GroupCommit(Run run, Complete complete)
      : run_(std::move(run)), complete_(std::move(complete)), thread_([this] { Loop(); }) {}
  ~GroupCommit() { Close(); }
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Queues `unit`; after Close() gives it back, never run.
  std::unique_ptr<Unit> Queue(std::unique_ptr<Unit> unit) {
    std::lock_guard lock(mu_);
    if (closing_) return unit;
    pending_.push_back(std::move(unit));
    work_cv_.notify_one();
    return nullptr;
  }

  std::size_t pending() const {
    std::lock_guard lock(mu_);
    return pending_.size();
  }

  // Runs every unit queued before, then stops the thread. Idempotent.
  void Close() {
    std::call_once(close_once_, [this] {
      {
        std::lock_guard lock(mu_);
        closing_ = true;
      }
      work_cv_.notify_one();
      thread_.join();
    });
  }

 private:
  void Loop() {
    std::vector<std::unique_ptr<Unit>> taken;
    std::vector<Unit*> batch;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        work_cv_.wait(lock, [&] { return closing_ || !pending_.empty(); });
        if (pending_.empty()) return;  // closing, and everything queued ran
        const auto n =
            static_cast<std::ptrdiff_t>(std::min(pending_.size(), limits::kMaxGroupCommit));
        taken.assign(std::make_move_iterator(pending_.begin()),
                     std::make_move_iterator(pending_.begin() + n));
        pending_.erase(pending_.begin(), pending_.begin() + n);
      }
      batch.clear();
      for (const std::unique_ptr<Unit>& unit : taken) batch.push_back(unit.get());
      run_(batch);
      for (const std::unique_ptr<Unit>& unit : taken) complete_(*unit);
      taken.clear();
    }
  }

  const Run run_;
  const Complete complete_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;            // new units or closing
  std::deque<std::unique_ptr<Unit>> pending_;  // guarded by mu_
  bool closing_ = false;             // guarded by mu_
  std::once_flag close_once_;
  std::thread thread_;  // last: starts after the members above
};

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_GROUP_COMMIT_H_
