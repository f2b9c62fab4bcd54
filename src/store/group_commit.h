// GroupCommit<Unit>: the hand-off both group committers share - SQLite's
// writer (sqlite/writer.h) and PostgreSQL's enqueue batcher
// (postgres/enqueue_batcher.h). Callers queue units; one thread takes every
// pending one (at most limits::kMaxGroupCommit) and hands the batch to
// `run`, while new units queue up for the next batch. A waiting caller
// returns once its batch ran; an async unit (its `on_done` set) is handed to
// `complete` on the thread, then deleted.
// Unit: a `bool done` and an `on_done` std::function (empty: a waiting unit).
// Threads: RunAndWait, Queue, pending and Close from any thread; `run` and
// `complete` on the thread.
#ifndef CAMPAIGND_STORE_GROUP_COMMIT_H_
#define CAMPAIGND_STORE_GROUP_COMMIT_H_

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
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

  // Runs `unit` with the next batch and returns once it ran; false (it never
  // runs) after Close().
  bool RunAndWait(Unit& unit) {
    std::unique_lock lock(mu_);
    if (closing_) return false;
    pending_.push_back(&unit);
    work_cv_.notify_one();
    done_cv_.wait(lock, [&] { return unit.done; });
    return true;
  }

  // Queues an async unit; after Close() gives it back, never run.
  std::unique_ptr<Unit> Queue(std::unique_ptr<Unit> unit) {
    std::lock_guard lock(mu_);
    if (closing_) return unit;
    pending_.push_back(unit.release());
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
    std::vector<Unit*> batch;
    std::vector<std::unique_ptr<Unit>> async;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        work_cv_.wait(lock, [&] { return closing_ || !pending_.empty(); });
        if (pending_.empty()) return;  // closing, and everything queued ran
        const auto n =
            static_cast<std::ptrdiff_t>(std::min(pending_.size(), limits::kMaxGroupCommit));
        batch.assign(pending_.begin(), pending_.begin() + n);
        pending_.erase(pending_.begin(), pending_.begin() + n);
      }
      run_(batch);
      // A waiting unit belongs to its caller, which may return as soon as
      // `done` is set: the async ones are taken out before.
      {
        std::lock_guard lock(mu_);
        for (Unit* unit : batch) {
          if (unit->on_done) {
            async.emplace_back(unit);
          } else {
            unit->done = true;
          }
        }
      }
      if (async.size() < batch.size()) done_cv_.notify_all();
      for (std::unique_ptr<Unit>& unit : async) complete_(*unit);
      async.clear();
    }
  }

  const Run run_;
  const Complete complete_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // new units or closing
  std::condition_variable done_cv_;  // a batch ran
  std::deque<Unit*> pending_;        // guarded by mu_
  bool closing_ = false;             // guarded by mu_
  std::once_flag close_once_;
  std::thread thread_;  // last: starts after the members above
};

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_GROUP_COMMIT_H_
