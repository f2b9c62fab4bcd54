#include "store/directory_cache.h"

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <shared_mutex>

#include "store/sql_session.h"
#include "store/store.h"

namespace campaignd::store {
namespace {

Status Miss() { return Status::Unavailable("not in the directory cache"); }

}  // namespace

struct DirectoryCache::State {
  template <typename K, typename V>
  struct Kind {
    using Key = K;
    std::map<K, std::optional<V>, std::less<>> entries;
    std::size_t negative = 0;
  };
  using IdPair = std::pair<int64_t, int64_t>;

  State(VersionReader version, DirectoryCacheOptions options)
      : version(std::move(version)), options(options) {}

  void DropLocked() {  // REQUIRES: mu held exclusively
    ++generation;
    codes = {};
    clients = {};
    keys = {};
    lists = {};
    mailings = {};
    drops.fetch_add(1, std::memory_order_relaxed);
  }

  const VersionReader version;
  const DirectoryCacheOptions options;
  std::shared_mutex mu;
  uint64_t generation = 0;  // guarded by mu; +1 per drop
  bool known = false;       // guarded by mu; the counter was read (else nothing is kept)
  Kind<std::string, AuthCode> codes;
  Kind<int64_t, Client> clients;
  Kind<int64_t, std::vector<DkimKey>> keys;
  Kind<IdPair, RecipientList> lists;
  Kind<IdPair, Mailing> mailings;
  std::atomic<uint64_t> hits{0};
  std::atomic<uint64_t> misses{0};
  std::atomic<uint64_t> drops{0};

  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stopping = false;  // guarded by stop_mu
};

DirectoryCache::DirectoryCache(Directory& inner, VersionReader version,
                               DirectoryCacheOptions options)
    : inner_(&inner),
      state_(std::make_shared<State>(std::move(version), options)),
      memory_only_(new DirectoryCache(state_)),
      thread_([this] { Poll(); }) {}

DirectoryCache::DirectoryCache(std::shared_ptr<State> state)
    : inner_(nullptr), state_(std::move(state)) {}

DirectoryCache::~DirectoryCache() {
  if (!thread_.joinable()) return;  // the memory-only view
  {
    std::lock_guard lock(state_->stop_mu);
    state_->stopping = true;
  }
  state_->stop_cv.notify_one();
  thread_.join();
}

void DirectoryCache::Poll() {
  // Nothing is stored before the first reading (Find checks `known`), so
  // a change committed before it cannot hide behind an older answer.
  State& s = *state_;
  std::optional<int64_t> seen;
  std::unique_lock stop(s.stop_mu);
  for (;;) {
    stop.unlock();
    Result<int64_t> now = s.version();
    {
      std::unique_lock lock(s.mu);
      if (!now.ok() || !seen || *seen != *now) {
        // Unreadable: a change may go unseen, so keep nothing for long.
        s.DropLocked();
        seen = now.ok() ? std::optional<int64_t>(*now) : std::nullopt;
        s.known = seen.has_value();
      }
    }
    stop.lock();
    if (s.stop_cv.wait_for(stop, s.options.poll, [&] { return s.stopping; })) return;
  }
}

void DirectoryCache::Invalidate() {
  std::unique_lock lock(state_->mu);
  state_->DropLocked();
}

DirectoryCacheStats DirectoryCache::stats() const {
  return {state_->hits.load(std::memory_order_relaxed),
          state_->misses.load(std::memory_order_relaxed),
          state_->drops.load(std::memory_order_relaxed)};
}

template <typename Kind, typename Key, typename Read>
auto DirectoryCache::Find(Kind& kind, const Key& key, Read read)
    -> decltype(read(std::declval<Directory&>())) {
  State& s = *state_;
  uint64_t generation = 0;  // the one the answer is read in
  {
    std::shared_lock lock(s.mu);
    if (auto it = kind.entries.find(key); it != kind.entries.end()) {
      s.hits.fetch_add(1, std::memory_order_relaxed);
      return it->second;
    }
    generation = s.generation;
  }
  if (inner_ == nullptr) return Miss();
  s.misses.fetch_add(1, std::memory_order_relaxed);
  auto found = read(*inner_);
  if (!found.ok()) return found;
  // Kept unless a drop happened since it was read.
  std::unique_lock lock(s.mu);
  if (generation != s.generation || !s.known) return found;
  if (kind.entries.size() >= s.options.max_entries) {
    kind.entries.clear();
    kind.negative = 0;
  }
  if (!found->has_value() && kind.negative >= s.options.max_negative) {
    std::erase_if(kind.entries, [](const auto& entry) { return !entry.second.has_value(); });
    kind.negative = 0;
  }
  auto [it, inserted] = kind.entries.try_emplace(typename Kind::Key(key), *found);
  if (inserted && !found->has_value()) ++kind.negative;
  return found;
}

Result<std::optional<AuthCode>> DirectoryCache::FindCode(std::string_view code_hash) {
  return Find(state_->codes, code_hash, [&](Directory& d) { return d.FindCode(code_hash); });
}

Result<std::optional<Client>> DirectoryCache::FindClient(int64_t client_id) {
  return Find(state_->clients, client_id, [&](Directory& d) { return d.FindClient(client_id); });
}

Result<std::vector<DkimKey>> DirectoryCache::FindDkimKeys(int64_t client_id) {
  // Stored as found: a client without keys is an empty list, not "none".
  auto keys = Find(state_->keys, client_id,
                   [&](Directory& d) -> Result<std::optional<std::vector<DkimKey>>> {
                     auto found = d.FindDkimKeys(client_id);
                     if (!found.ok()) return found.status();
                     return std::optional<std::vector<DkimKey>>(std::move(*found));
                   });
  if (!keys.ok()) return keys.status();
  return std::move(**keys);
}

Result<std::optional<RecipientList>> DirectoryCache::FindList(int64_t client_id, int64_t list_id) {
  return Find(state_->lists, State::IdPair{client_id, list_id},
              [&](Directory& d) { return d.FindList(client_id, list_id); });
}

Result<std::optional<Mailing>> DirectoryCache::FindMailing(int64_t client_id, int64_t mailing_id) {
  return Find(state_->mailings, State::IdPair{client_id, mailing_id},
              [&](Directory& d) { return d.FindMailing(client_id, mailing_id); });
}

// Not cached (they change with the traffic): the memory-only view never has them.

Result<std::optional<Recipient>> DirectoryCache::FindRecipient(int64_t client_id, int64_t list_id,
                                                               std::string_view recipient_id) {
  if (inner_ == nullptr) return Miss();
  return inner_->FindRecipient(client_id, list_id, recipient_id);
}

Result<Suppression> DirectoryCache::CheckSuppression(int64_t client_id, int64_t list_id,
                                                     std::string_view address) {
  if (inner_ == nullptr) return Miss();
  return inner_->CheckSuppression(client_id, list_id, address);
}

Result<std::unique_ptr<DirectoryCache>> OpenDirectoryCache(Engine& engine,
                                                           DirectoryCacheOptions options) {
  SqlRunner* runner = &engine.runner();
  auto read = [runner]() -> Result<int64_t> {
    Result<std::optional<int64_t>> version =
        FirstRow<int64_t>(runner->Query("SELECT version FROM directory_version WHERE id = 1", {}, 1,
                                        "read the directory version"),
                          [](const SqlRow& row) { return CellInt(row, 0); });
    if (!version.ok()) return version.status();
    if (!*version) return Status::Corruption("directory_version has no row");
    return **version;
  };
  return std::make_unique<DirectoryCache>(engine.directory(), std::move(read), options);
}

}  // namespace campaignd::store
