// DirectoryCache: store.h's Directory answered from memory - codes,
// clients, DKIM keys, lists and mailings, found or not - in front of an
// engine's Directory (any engine: it only decorates the interface).
// Recipients and suppression are not cached: they change with the traffic.
//
// Invalidation (docs/decisions/0015-directory-cache.md). Triggers on the
// directory tables bump one counter (directory_version, migrations 0006
// sqlite / 0005 postgres) in the transaction of every change, whoever makes
// it: the CLI, `campaignd apply`, the admin API, another process. A thread
// reads the counter every `poll` (250 ms) and drops everything when it
// moved, so a committed change is seen within poll + one read. A change made
// through this process's admin API also calls Invalidate() at once.
// A lookup that read the database while a drop happened does not store its
// (perhaps older) answer: every entry carries the generation it was read in.
//
// Bound: at most max_entries answers per kind, of which at most
// max_negative "none" answers (unknown codes cost an attacker nothing).
// A kind that reaches its bound is emptied and refilled on demand.
//
// Threads: every method is safe from any thread. The Directory methods
// block on a miss (the inner directory); memory_only()'s never block.
// Errors: the inner directory's, unchanged; memory_only() fails a miss with
// Unavailable (the caller retries on a blocking thread).
#ifndef CAMPAIGND_STORE_DIRECTORY_CACHE_H_
#define CAMPAIGND_STORE_DIRECTORY_CACHE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <utility>

#include "store/store.h"

namespace campaignd::store {

struct DirectoryCacheOptions {
  std::chrono::milliseconds poll{250};  // how often the change counter is read
  std::size_t max_entries = 10000;      // per kind (codes, clients, keys, lists, mailings)
  std::size_t max_negative = 1000;      // "none" answers per kind, within max_entries
};

struct DirectoryCacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t drops = 0;  // times everything was dropped (a change, Invalidate)
};

class DirectoryCache final : public Directory {
 public:
  // The counter's current value; called from the cache's thread.
  using VersionReader = std::function<Result<int64_t>()>;

  // Starts the polling thread. REQUIRES: `inner` outlives this.
  DirectoryCache(Directory& inner, VersionReader version, DirectoryCacheOptions options = {});
  ~DirectoryCache() override;  // stops the thread
  DirectoryCache(const DirectoryCache&) = delete;
  DirectoryCache& operator=(const DirectoryCache&) = delete;

  Result<std::optional<AuthCode>> FindCode(std::string_view code_hash) override;
  Result<std::optional<Client>> FindClient(int64_t client_id) override;
  Result<std::vector<DkimKey>> FindDkimKeys(int64_t client_id) override;
  Result<std::optional<RecipientList>> FindList(int64_t client_id, int64_t list_id) override;
  Result<std::optional<Mailing>> FindMailing(int64_t client_id, int64_t mailing_id) override;
  Result<std::optional<Recipient>> FindRecipient(int64_t client_id, int64_t list_id,
                                                 std::string_view recipient_id) override;
  Result<Suppression> CheckSuppression(int64_t client_id, int64_t list_id,
                                       std::string_view address) override;

  // Drops every answer now (this process changed the directory).
  void Invalidate();

  // The same lookups from memory only, for an I/O thread: a miss fails with
  // Unavailable instead of reading; FindRecipient/CheckSuppression always do.
  Directory& memory_only() { return *memory_only_; }

  DirectoryCacheStats stats() const;

 private:
  struct State;  // the answers and the polling thread's, shared with memory_only()
  explicit DirectoryCache(std::shared_ptr<State> state);  // the memory-only view

  // The cached answer of `kind`, else `read` (Directory& -> the answer) of
  // the inner directory; the memory-only view fails with Unavailable.
  template <typename Kind, typename Key, typename Read>
  auto Find(Kind& kind, const Key& key, Read read) -> decltype(read(std::declval<Directory&>()));
  void Poll();

  Directory* const inner_;  // nullptr in the memory-only view
  const std::shared_ptr<State> state_;
  std::unique_ptr<DirectoryCache> memory_only_;  // nullptr in the view itself
  std::thread thread_;                           // last: starts after the members above
};

// A cache over `engine`'s directory that reads the change counter through
// the engine's connections. REQUIRES: `engine` outlives the cache.
Result<std::unique_ptr<DirectoryCache>> OpenDirectoryCache(Engine& engine,
                                                           DirectoryCacheOptions options = {});

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_DIRECTORY_CACHE_H_
