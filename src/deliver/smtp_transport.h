// SmtpTransport: delivers through an SMTP relay with libcurl (the only place
// campaignd uses libcurl): STARTTLS or implicit TLS, AUTH, a pool of up to
// `connections` reusable sessions, and the relay's rate limit. Built by
// OpenTransport() for smtp:// and smtps:// URLs; called by queue/ workers.
// Timeouts: every wait of a session is bounded by its phase's limit
// (TransportOptions::timeouts: connect, greeting, each command's reply,
// the message body, the reply after the final "."). libcurl has one reply
// timeout for all commands, so a watchdog thread (one per process) follows
// each transfer's phase from libcurl's debug callback and, when a phase
// runs out, shuts the session's socket down: the transfer fails at once
// and its reply names the phase ("timed out after 60 s waiting for the
// reply to RCPT"), as Postfix's smtp_*_timeout do.
// Threads: Deliver() is safe from many threads; a caller blocks while all
// sessions are busy (queue/ never lets that happen: Concurrency()), then
// while the rate limit makes it wait.
// Errors: every outcome is a DeliveryResult (rules in smtp_transcript.h);
// Open() answers InvalidArgument for settings libcurl cannot honour.
#ifndef CAMPAIGND_DELIVER_SMTP_TRANSPORT_H_
#define CAMPAIGND_DELIVER_SMTP_TRANSPORT_H_

#include <curl/curl.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "deliver/rate_limiter.h"
#include "deliver/transport.h"
#include "deliver/transport_url.h"

namespace campaignd::deliver {

class SmtpTransport final : public Transport {
 public:
  // `described` is the URL without its password (for Describe()).
  // InvalidArgument when the cafile is unreadable or libcurl lacks SMTP/TLS.
  static Result<std::unique_ptr<Transport>> Open(SmtpSettings settings,
                                                 const TransportOptions& options,
                                                 std::string described);
  // Closes the idle sessions (libcurl sends QUIT, bounded by the timeout).
  // REQUIRES: no Deliver() is running.
  ~SmtpTransport() override;

  // One SMTP transaction for one recipient on a pooled session. A session
  // whose transaction failed is closed, never reused. When a reused session
  // turns out to be dead before the relay said anything, the message is sent
  // once more on a new connection (the relay cannot have accepted it).
  DeliveryResult Deliver(const Envelope& envelope, std::string_view message) override;
  std::string Describe() const override { return described_; }
  double RatePerSecond() const override { return settings_.rate_per_second; }
  int Concurrency() const override { return settings_.connections; }

  // One libcurl handle (with its one cached connection) and the sockets it
  // has open, which the watchdog may shut down (smtp_transport.cc).
  struct Session;

 private:
  using EasyHandle = std::unique_ptr<Session>;

  SmtpTransport(SmtpSettings settings, const TransportOptions& options, std::string described);

  // An idle handle (LIFO: the most recently used connection is warmest;
  // *reused = true) or a new one while fewer than `connections` exist; waits
  // otherwise. Null when libcurl cannot make a handle.
  EasyHandle AcquireHandle(bool* reused);
  // Returns `easy` to the pool; `reusable` false closes it and its connection.
  void ReleaseHandle(EasyHandle easy, bool reusable);
  // A configured handle, or null (the reason is logged).
  EasyHandle NewHandle() const;
  // One curl_easy_perform; `fresh` forbids reusing the cached connection.
  // Sets *retry when a reused connection failed before the relay said anything.
  DeliveryResult Transfer(Session& session, const Envelope& envelope, std::string_view message,
                          bool fresh, bool* retry);

  // Constant after construction.
  const SmtpSettings settings_;
  const TransportOptions options_;
  const std::string described_;
  const std::string curl_url_;  // scheme://host:port/helo, no credentials

  RateLimiter limiter_;  // thread-safe itself

  std::mutex mu_;
  std::condition_variable handle_freed_;
  std::vector<EasyHandle> idle_;  // guarded by mu_
  int open_handles_ = 0;          // guarded by mu_: idle + in use
};

}  // namespace campaignd::deliver

#endif  // CAMPAIGND_DELIVER_SMTP_TRANSPORT_H_
