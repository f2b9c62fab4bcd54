// LocalCoordination: Coordination for an engine with one delivering
// process (SQLite holds the serve lock). Enqueues in this process already
// wake its workers through the Notifier that ops/ calls, so Subscribe has
// nothing to do; an API-only process on the same SQLite file cannot
// reach the worker process, whose workers find its mail within idle_poll.
// Rate windows and CountInWindow's windows are counted in memory: there is
// no other delivering process to share them (each API-only process on the
// same file counts its own).
// Threads: safe.
#ifndef CAMPAIGND_STORE_LOCAL_COORDINATION_H_
#define CAMPAIGND_STORE_LOCAL_COORDINATION_H_

#include <map>
#include <mutex>
#include <string>

#include "store/store.h"

namespace campaignd::store {

class LocalCoordination final : public Coordination {
 public:
  Status Subscribe(Notifier& notifier) override;
  Result<std::chrono::milliseconds> AcquireRate(std::string_view key, int per_second,
                                                TimePoint now) override;
  Result<bool> CountInWindow(std::string_view key, int limit, std::chrono::seconds window,
                             TimePoint now) override;

 private:
  struct Window {
    int64_t second = 0;  // unix second the window ends
    int count = 0;       // messages counted in it
  };
  std::mutex mu_;
  // `second` is where the window ends. Keys are many (one per source
  // address): ended windows are dropped at least every minute.
  std::map<std::string, Window, std::less<>> counted_;  // guarded by mu_
  int64_t pruned_at_second_ = 0;                        // guarded by mu_
};

// The shared rule of both engines: given the count already in `now`'s
// one-second window, the wait before one more message may go (0: go).
std::chrono::milliseconds RateWait(int count_in_window, int per_second, TimePoint now);

// CountInWindow's windows (both engines): the Unix second at which the
// window holding `unix_second` ends.
int64_t WindowEnd(int64_t unix_second, std::chrono::seconds window);

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_LOCAL_COORDINATION_H_
