#include "queue/retention.h"

#include <spdlog/spdlog.h>

namespace campaignd::queue {

RetentionPurger::RetentionPurger(store::SqlRunner& runner, const Clock& clock,
                                 store::RetentionPolicy policy, std::chrono::milliseconds interval)
    : runner_(runner), clock_(clock), policy_(policy), interval_(interval) {}

RetentionPurger::~RetentionPurger() { Stop(); }

void RetentionPurger::Start() {
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void RetentionPurger::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RetentionPurger::Run() {
  while (!stop_) {
    Result<store::Purged> purged = store::PurgeExpired(runner_, clock_.Now(), policy_, &stop_);
    if (!purged.ok()) {
      spdlog::warn("retention purge: {}", purged.status().ToString());
    } else if (purged->mails + purged->events + purged->attempts > 0) {
      spdlog::info(
          "retention purge: deleted {} mails (with their history), {} events, {} "
          "webhook attempts",
          purged->mails, purged->events, purged->attempts);
    }
    ++runs_;
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, interval_, [this] { return stop_.load(); });
  }
}

}  // namespace campaignd::queue
