// SmtpTransport: delivers through an SMTP relay with libcurl (the only place
// campaignd uses libcurl): STARTTLS or implicit TLS, AUTH, a pool of up to
// `connections` reusable sessions, and the relay's rate limit. Built by
// OpenTransport() for smtp:// and smtps:// URLs; called by queue/ workers.
// Threads: Deliver() is safe from many threads; a caller blocks while all
// sessions are busy, then while the rate limit makes it wait.
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

 private:
  struct EasyCleanup {
    void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
  };
  using EasyHandle = std::unique_ptr<CURL, EasyCleanup>;

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
  DeliveryResult Transfer(CURL* easy, const Envelope& envelope, std::string_view message,
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
