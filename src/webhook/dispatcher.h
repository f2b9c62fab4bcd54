// The webhook dispatcher of the worker role (events.md §4,
// docs/decisions/0024-webhook-dispatcher.md): delivers the durable outbox
// (store/sql/events.h) at least once. A worker thread leases one due
// subscription (LeaseDue with this process's owner id), takes its next
// batch (up to `batch` events; waits up to `batch_wait` after the oldest
// one for a fuller batch), POSTs it as a JSON array (payload.h) signed with
// X-Campaignd-Signature (signature.h), with the subscription's basicAuth or
// keyAuth, and records the attempt: 2xx is Delivered, anything else - a
// redirect (never followed), a timeout, a refused target - is Failed (the
// store's backoff from `retry_base`, suspension after 24 h).
// SSRF: every socket the POST would open is checked (address_guard.h) in
// curl's open-socket callback, on the address actually connected to, so
// neither a name that resolves to a private address nor DNS rebinding
// reaches one; a refused target is a failed attempt with its reason and no
// connection. No proxy from the environment is used.
// Threads: `workers` threads of its own, each with its own curl handle (one
// connection at a time each): webhooks never take a delivery lane's thread
// or connection. Idle, each worker reads "is there any outbox row" every
// `poll` (one read, no write) or sooner when woken.
// Errors: store failures are logged and retried after `poll`.
#ifndef CAMPAIGND_WEBHOOK_DISPATCHER_H_
#define CAMPAIGND_WEBHOOK_DISPATCHER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "store/sql/events.h"
#include "store/store.h"

namespace campaignd::webhook {

struct DispatcherOptions {
  int workers = 4;
  int batch = 100;
  std::chrono::milliseconds batch_wait{200};
  std::chrono::milliseconds timeout{10000};
  std::chrono::milliseconds retry_base = store::events::kFirstBackoff;
  bool allow_private = false;  // webhooks_allow_private: the SSRF guard off
  std::chrono::milliseconds poll{200};
  std::string owner;  // lease owner; empty: "webhook-<pid>-<random>"
};

// One POST's outcome (an Attempt without its keys).
struct PostResult {
  int http_status = 0;  // 0: no answer, `error` says why
  std::string error;
  std::string response;  // the first store::events::kResponseKept bytes of the answer
  std::chrono::milliseconds duration{0};
  bool ok() const { return http_status >= 200 && http_status < 300; }
};

// POSTs `body` to `webhook` now (the signature's t is `unix_seconds`),
// under `options`' timeout and SSRF rule. Blocks up to the timeout.
PostResult Post(const store::events::Webhook& webhook, const std::string& body,
                int64_t unix_seconds, const DispatcherOptions& options);

class Dispatcher {
 public:
  // REQUIRES: `runner`, `directory` (for the clients' mail ID secrets) and
  // `clock` outlive this.
  Dispatcher(store::SqlRunner& runner, store::Directory& directory, const Clock& clock,
             DispatcherOptions options);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void Start();
  // Ends the workers after the POSTs in hand (each bounded by the timeout).
  void Stop();
  // New outbox rows: idle workers look now instead of after `poll`.
  void Wake();

  // Leases one due subscription and delivers one batch of it on the calling
  // thread: whether there was one. For tests and the benchmark.
  Result<bool> DeliverOne();

  const std::string& owner() const { return options_.owner; }

 private:
  void Work();
  // The public mail ID of (client, mails row), "" when the client is gone.
  std::string MailIdText(int64_t client_id, int64_t mail_seq);
  // Sleeps up to `d` or until Stop/Wake; false once stopping.
  bool Sleep(std::chrono::milliseconds d);

  store::SqlRunner& runner_;
  store::Directory& directory_;
  const Clock& clock_;
  DispatcherOptions options_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  uint64_t wakes_ = 0;
};

}  // namespace campaignd::webhook

#endif  // CAMPAIGND_WEBHOOK_DISPATCHER_H_
