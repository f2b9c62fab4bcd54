#include "store/directory_cache.h"

#include "store/sql_session.h"
#include "store/store.h"

namespace campaignd::store {
namespace {

Status Miss() { return Status::Unavailable("not in the directory cache"); }

}  // namespace

DirectoryCache::DirectoryCache(Directory& inner, VersionReader version,
                               DirectoryCacheOptions options)
    : inner_(inner), version_(std::move(version)), options_(options), thread_([this] { Poll(); }) {}

DirectoryCache::~DirectoryCache() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_one();
  thread_.join();
}

void DirectoryCache::Poll() {
  // Nothing is stored before the first reading (Store checks `known`), so
  // a change committed before it cannot hide behind an older answer.
  std::optional<int64_t> seen;
  std::unique_lock stop(stop_mu_);
  for (;;) {
    stop.unlock();
    Result<int64_t> now = version_();
    {
      std::unique_lock lock(mu_);
      if (!now.ok() || !seen || *seen != *now) {
        // Unreadable: a change may go unseen, so keep nothing for long.
        DropLocked();
        seen = now.ok() ? std::optional<int64_t>(*now) : std::nullopt;
        known_ = seen.has_value();
      }
    }
    stop.lock();
    if (stop_cv_.wait_for(stop, options_.poll, [&] { return stopping_; })) return;
  }
}

void DirectoryCache::DropLocked() {
  ++generation_;
  codes_ = {};
  clients_ = {};
  keys_ = {};
  lists_ = {};
  mailings_ = {};
  drops_.fetch_add(1, std::memory_order_relaxed);
}

void DirectoryCache::Invalidate() {
  std::unique_lock lock(mu_);
  DropLocked();
}

DirectoryCacheStats DirectoryCache::stats() const {
  return {hits_.load(std::memory_order_relaxed), misses_.load(std::memory_order_relaxed),
          drops_.load(std::memory_order_relaxed)};
}

template <typename K, typename V, typename Key>
std::optional<std::optional<V>> DirectoryCache::Lookup(const Kind<K, V>& kind, const Key& key) {
  std::shared_lock lock(mu_);
  auto it = kind.entries.find(key);
  if (it == kind.entries.end()) return std::nullopt;
  hits_.fetch_add(1, std::memory_order_relaxed);
  return it->second;
}

template <typename K, typename V>
void DirectoryCache::Store(Kind<K, V>& kind, K key, const std::optional<V>& value,
                           uint64_t generation) {
  std::unique_lock lock(mu_);
  if (generation != generation_ || !known_) return;  // dropped since it was read
  if (kind.entries.size() >= options_.max_entries) {
    kind.entries.clear();
    kind.negative = 0;
  }
  if (!value.has_value() && kind.negative >= options_.max_negative) {
    std::erase_if(kind.entries, [](const auto& entry) { return !entry.second.has_value(); });
    kind.negative = 0;
  }
  auto [it, inserted] = kind.entries.try_emplace(std::move(key), value);
  if (inserted && !value.has_value()) ++kind.negative;
}

template <typename K, typename V, typename Key, typename Read>
Result<std::optional<V>> DirectoryCache::Find(Kind<K, V>& kind, const Key& key, Read read) {
  if (auto cached = Lookup(kind, key)) return std::move(*cached);
  misses_.fetch_add(1, std::memory_order_relaxed);
  uint64_t generation = 0;
  {
    std::shared_lock lock(mu_);
    generation = generation_;
  }
  Result<std::optional<V>> found = read();
  if (found.ok()) Store(kind, K(key), *found, generation);
  return found;
}

Result<std::optional<AuthCode>> DirectoryCache::FindCode(std::string_view code_hash) {
  return Find(codes_, code_hash, [&] { return inner_.FindCode(code_hash); });
}

Result<std::optional<Client>> DirectoryCache::FindClient(int64_t client_id) {
  return Find(clients_, client_id, [&] { return inner_.FindClient(client_id); });
}

Result<std::vector<DkimKey>> DirectoryCache::FindDkimKeys(int64_t client_id) {
  // Stored as found: a client without keys is an empty list, not "none".
  auto keys = Find(keys_, client_id, [&]() -> Result<std::optional<std::vector<DkimKey>>> {
    auto found = inner_.FindDkimKeys(client_id);
    if (!found.ok()) return found.status();
    return std::optional<std::vector<DkimKey>>(std::move(*found));
  });
  if (!keys.ok()) return keys.status();
  return std::move(**keys);
}

Result<std::optional<RecipientList>> DirectoryCache::FindList(int64_t client_id, int64_t list_id) {
  return Find(lists_, IdPair{client_id, list_id},
              [&] { return inner_.FindList(client_id, list_id); });
}

Result<std::optional<Mailing>> DirectoryCache::FindMailing(int64_t client_id, int64_t mailing_id) {
  return Find(mailings_, IdPair{client_id, mailing_id},
              [&] { return inner_.FindMailing(client_id, mailing_id); });
}

Result<std::optional<Recipient>> DirectoryCache::FindRecipient(int64_t client_id, int64_t list_id,
                                                               std::string_view recipient_id) {
  return inner_.FindRecipient(client_id, list_id, recipient_id);
}

Result<Suppression> DirectoryCache::CheckSuppression(int64_t client_id, int64_t list_id,
                                                     std::string_view address) {
  return inner_.CheckSuppression(client_id, list_id, address);
}

// memory_only(): the cached answer or Miss(), never the inner directory.

Result<std::optional<AuthCode>> DirectoryCache::MemoryOnly::FindCode(std::string_view code_hash) {
  if (auto cached = cache_.Lookup(cache_.codes_, code_hash)) return std::move(*cached);
  return Miss();
}

Result<std::optional<Client>> DirectoryCache::MemoryOnly::FindClient(int64_t client_id) {
  if (auto cached = cache_.Lookup(cache_.clients_, client_id)) return std::move(*cached);
  return Miss();
}

Result<std::vector<DkimKey>> DirectoryCache::MemoryOnly::FindDkimKeys(int64_t client_id) {
  if (auto cached = cache_.Lookup(cache_.keys_, client_id); cached && cached->has_value()) {
    return std::move(**cached);
  }
  return Miss();
}

Result<std::optional<RecipientList>> DirectoryCache::MemoryOnly::FindList(int64_t client_id,
                                                                          int64_t list_id) {
  if (auto cached = cache_.Lookup(cache_.lists_, IdPair{client_id, list_id})) {
    return std::move(*cached);
  }
  return Miss();
}

Result<std::optional<Mailing>> DirectoryCache::MemoryOnly::FindMailing(int64_t client_id,
                                                                       int64_t mailing_id) {
  if (auto cached = cache_.Lookup(cache_.mailings_, IdPair{client_id, mailing_id})) {
    return std::move(*cached);
  }
  return Miss();
}

Result<std::optional<Recipient>> DirectoryCache::MemoryOnly::FindRecipient(int64_t, int64_t,
                                                                           std::string_view) {
  return Miss();
}

Result<Suppression> DirectoryCache::MemoryOnly::CheckSuppression(int64_t, int64_t,
                                                                 std::string_view) {
  return Miss();
}

Result<std::unique_ptr<DirectoryCache>> OpenDirectoryCache(Engine& engine,
                                                           DirectoryCacheOptions options) {
  SqlRunner* runner = &engine.runner();
  auto read = [runner]() -> Result<int64_t> {
    int64_t version = 0;
    Status status = runner->Read([&](SqlSession& session) -> Status {
      auto rows = session.Query("SELECT version FROM directory_version WHERE id = 1", {}, 1,
                                "read the directory version");
      if (!rows.ok()) return rows.status();
      if (rows->size() != 1) return Status::Corruption("directory_version has no row");
      auto value = CellInt((*rows)[0], 0);
      if (!value.ok()) return value.status();
      version = *value;
      return Status::Ok();
    });
    if (!status.ok()) return status;
    return version;
  };
  return std::make_unique<DirectoryCache>(engine.directory(), std::move(read), options);
}

}  // namespace campaignd::store
