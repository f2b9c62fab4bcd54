#include "http/connection_registry.h"

#include <boost/asio/post.hpp>

namespace campaignd::http {

uint64_t ConnectionRegistry::Add(boost::asio::any_io_executor strand,
                                 boost::beast::tcp_stream* stream) {
  std::lock_guard lock(mu_);
  const uint64_t id = next_id_++;
  entries_.emplace(id, Entry{std::move(strand), stream, false});
  return id;
}

void ConnectionRegistry::Remove(uint64_t id) {
  std::lock_guard lock(mu_);
  entries_.erase(id);
  if (entries_.empty()) empty_.notify_all();
}

bool ConnectionRegistry::EnterIdle(uint64_t id) {
  std::lock_guard lock(mu_);
  if (stopping_) return false;
  if (auto it = entries_.find(id); it != entries_.end()) it->second.idle = true;
  return true;
}

void ConnectionRegistry::LeaveIdle(uint64_t id) {
  std::lock_guard lock(mu_);
  if (auto it = entries_.find(id); it != entries_.end()) it->second.idle = false;
}

bool ConnectionRegistry::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

void ConnectionRegistry::PostClose(uint64_t id, const Entry& entry, bool only_if_idle) {
  // Runs on the connection's strand, where Remove(id) also runs: if the id
  // is still registered there, its stream is alive.
  boost::asio::post(entry.strand, [this, id, only_if_idle] {
    std::lock_guard lock(mu_);
    auto it = entries_.find(id);
    if (it == entries_.end() || (only_if_idle && !it->second.idle)) return;
    boost::system::error_code ignored;
    it->second.stream->socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    it->second.stream->close();
  });
}

void ConnectionRegistry::BeginStop() {
  std::lock_guard lock(mu_);
  stopping_ = true;
  for (const auto& [id, entry] : entries_) {
    if (entry.idle) PostClose(id, entry, /*only_if_idle=*/true);
  }
}

void ConnectionRegistry::CloseAll() {
  std::lock_guard lock(mu_);
  for (const auto& [id, entry] : entries_) PostClose(id, entry, /*only_if_idle=*/false);
}

bool ConnectionRegistry::WaitEmpty(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  return empty_.wait_until(lock, deadline, [this] { return entries_.empty(); });
}

}  // namespace campaignd::http
