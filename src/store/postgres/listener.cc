#include "store/postgres/listener.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "store/postgres/enqueue_batcher.h"  // kMailChannel
#include "store/postgres/pool.h"

namespace campaignd::store::postgres {

std::unique_ptr<Listener> Listener::Start(std::string url, Notifier& notifier) {
  std::unique_ptr<Listener> listener(new Listener(std::move(url), notifier));
  listener->thread_ = std::thread(
      [l = listener.get(), first = listener->Listen()]() mutable { l->Run(std::move(first)); });
  return listener;
}

Listener::Listener(std::string url, Notifier& notifier)
    : url_(std::move(url)), notifier_(notifier) {
  if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) wake_[0] = wake_[1] = -1;
}

Listener::~Listener() {
  Stop();
  for (int fd : wake_) {
    if (fd >= 0) ::close(fd);
  }
}

void Listener::Stop() {
  std::call_once(stop_once_, [this] {
    stopping_ = true;
    if (wake_[1] >= 0) {
      const char byte = 1;
      [[maybe_unused]] ssize_t n = ::write(wake_[1], &byte, 1);
    }
    if (thread_.joinable()) thread_.join();
  });
}

Result<std::unique_ptr<Connection>> Listener::Listen() {
  Result<std::unique_ptr<Connection>> conn = Connection::Open(url_, kConnectTimeout);
  if (!conn.ok()) return conn.status();
  // Channel names are identifiers: ours is a fixed lower-case word.
  CAMPAIGND_RETURN_IF_ERROR(
      (*conn)->Exec("LISTEN " + std::string(kMailChannel), "listen for new mail"));
  ++connects_;
  return conn;
}

void Listener::Run(Result<std::unique_ptr<Connection>> conn) {
  std::chrono::milliseconds backoff = kListenRetry;
  for (bool first = true;; first = false) {
    if (conn.ok()) {
      // Back after a loss (or a failed first attempt): mail may be waiting.
      if (!first) notifier_.Notify();
      backoff = kListenRetry;
      if (!Serve(**conn)) return;
    } else {
      if (!Sleep(backoff)) return;
      backoff = std::min(backoff * 2, std::chrono::milliseconds(kMaxReconnectBackoff));
    }
    if (stopping_) return;
    conn = Listen();
  }
}

bool Listener::Serve(Connection& conn) {
  PGconn* raw = conn.raw();
  pollfd fds[2] = {{PQsocket(raw), POLLIN, 0}, {wake_[0], POLLIN, 0}};
  const int timeout_ms = wake_[0] >= 0 ? -1 : 1000;  // no pipe: look at stopping_ now and then
  for (;;) {
    if (::poll(fds, 2, timeout_ms) < 0 && errno != EINTR) return !stopping_;
    if (stopping_) return false;
    if (PQconsumeInput(raw) == 0) return true;  // lost: re-connect
    bool notified = false;
    while (PGnotify* notify = PQnotifies(raw)) {
      notified = true;
      PQfreemem(notify);
    }
    if (notified) notifier_.Notify();
    if (conn.broken()) return true;
  }
}

bool Listener::Sleep(std::chrono::milliseconds delay) {
  pollfd fd = {wake_[0], POLLIN, 0};
  ::poll(&fd, 1, static_cast<int>(delay.count()));
  return !stopping_;
}

}  // namespace campaignd::store::postgres
