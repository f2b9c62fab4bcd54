#include "store/sqlite/read_pool.h"

namespace campaignd::store::sqlite {

ReadPool::ReadPool(std::string path, DatabaseOptions options, std::size_t max_connections)
    : path_(std::move(path)), options_(options), max_connections_(max_connections) {}

ReadPool::~ReadPool() { Close(); }

Result<ReadPool::Lease> ReadPool::Checkout() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return closed_ || !idle_.empty() || opened_ < max_connections_; });
  if (closed_) return Status::Unavailable("store is closed");
  if (!idle_.empty()) {
    std::unique_ptr<Database> db = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(db));
  }
  ++opened_;
  lock.unlock();  // opening takes a while; others may use idle connections
  Result<std::unique_ptr<Database>> db = Database::Open(path_, options_);
  if (!db.ok()) {
    lock.lock();
    --opened_;
    cv_.notify_one();
    return db.status();
  }
  return Lease(this, std::move(*db));
}

void ReadPool::Return(std::unique_ptr<Database> db) {
  std::lock_guard lock(mu_);
  idle_.push_back(std::move(db));
  cv_.notify_all();  // a waiting Checkout() or Close()
}

void ReadPool::Close() {
  std::unique_lock lock(mu_);
  closed_ = true;
  cv_.notify_all();
  cv_.wait(lock, [&] { return idle_.size() == opened_; });
  idle_.clear();
  opened_ = 0;
}

ReadTransaction::ReadTransaction(Database& db)
    : db_(db), status_(db.Exec("BEGIN", "begin read snapshot")) {}

ReadTransaction::~ReadTransaction() {
  if (status_.ok() && db_.InTransaction()) db_.Exec("COMMIT", "end read snapshot");
}

}  // namespace campaignd::store::sqlite
