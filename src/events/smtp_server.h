// SmtpServer: the inbound SMTP listener of `campaignd serve` (events.md §2
// "Inbound" 1, option inbound_listen): an RFC 5321 server that takes bounces
// and complaints for campaignd's own VERP and complaint addresses and
// nothing else. It is never an open relay: paths that ask to be routed
// (source routes, '%', '!', literals, quoted local parts) are refused before
// the policy is asked (smtp_path.h), and every other recipient is the
// policy's to accept. ESMTP: PIPELINING, SIZE, 8BITMIME, SMTPUTF8,
// ENHANCEDSTATUSCODES, STARTTLS when a certificate is configured. Limits as
// Postfix smtpd has them: message size (never more held in memory),
// connections, recipients per message, errors per session, timeouts.
// Callers: main.cc (the serve command, when inbound_listen is set), tests.
// What it refuses by itself and why: docs/decisions/0019-inbound-smtp.md.
// Threads: Start/Stop/BoundPort from one controlling thread. Sessions run on
// `io_threads` Asio threads and never block; the policy's two calls run on
// a pool of `policy_threads`, so a slow Deliver holds only its own session.
// Errors: Start() returns a failed Status when it cannot listen or load the
// certificate; a session's problems are SMTP replies and one log line.
#ifndef CAMPAIGND_EVENTS_SMTP_SERVER_H_
#define CAMPAIGND_EVENTS_SMTP_SERVER_H_

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/limits.h"
#include "core/status.h"

namespace campaignd::events {

// What the policy says of one RCPT TO address.
enum class RecipientVerdict {
  kAccept,    // 250 2.1.5
  kReject,    // 550 5.7.1 <address>: Relay access denied
  kTempfail,  // 451 4.3.0 <address>: Temporary lookup failure
};

// The sender and recipients of one message, as the client gave them.
struct Envelope {
  std::string client_ip;
  std::string helo;                     // the EHLO/HELO argument
  std::string sender;                   // without <>; empty: the null sender
  std::vector<std::string> recipients;  // accepted RCPT TO addresses, without <>
  bool tls = false;                     // received after STARTTLS
  bool smtputf8 = false;                // MAIL FROM ... SMTPUTF8
};

// What the policy did with a whole message (after the final dot).
struct DeliverResult {
  enum class Kind { kAccepted, kRejected, kTempfail };
  Kind kind = Kind::kTempfail;
  std::string queue_id;  // kAccepted: "250 2.0.0 Ok: queued as <queue_id>"
  int code = 554;        // kRejected: a 5xx code (another is answered 554)...
  std::string text;      // ...and its text, e.g. "5.6.0 unreadable report"

  static DeliverResult Accepted(std::string queue_id);
  static DeliverResult Rejected(int code, std::string text);
  static DeliverResult Tempfail();  // 451 4.3.0: the sender retries later
};

// The caller's decisions. Both may block (store I/O) and run on the
// server's policy pool, several at once; they must not throw (an exception
// is logged and answered as a temporary failure).
struct SmtpPolicy {
  // `address`: a mailbox that passed smtp_path.h's checks, as sent.
  std::function<RecipientVerdict(std::string_view address)> check_recipient;
  // The message: unstuffed, CRLF line ends, at most max_message_bytes.
  std::function<DeliverResult(const Envelope& envelope, std::string message)> deliver;
};

struct SmtpTimeouts {
  // Waiting for a command, writing a reply, one read of the message, the
  // TLS handshake; 421 4.4.2 and close after it.
  std::chrono::milliseconds command = limits::kInboundCommandTimeout;
  // From 354 to the final dot.
  std::chrono::milliseconds data = limits::kInboundDataTimeout;
  // Stop() waits this long for sessions to end after closing them.
  std::chrono::milliseconds shutdown_grace = limits::kShutdownGrace;
};

struct SmtpServerOptions {
  std::vector<std::string> listen = {"127.0.0.1:2525"};  // "host:port" / "[v6]:port"
  // The name in the greeting and the EHLO reply; empty: this host's name.
  std::string hostname;
  // PEM certificate chain and key: STARTTLS is offered when both are set.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::size_t io_threads = 1;
  std::size_t policy_threads = 4;
  std::size_t max_message_bytes = limits::kMaxInboundMessageBytes;
  std::size_t max_connections = limits::kMaxInboundConnections;
  std::size_t max_recipients = limits::kMaxInboundRecipients;
  int max_errors = limits::kMaxInboundErrors;
  SmtpTimeouts timeouts;
};

class SmtpServer {
 public:
  // REQUIRES: both policy functions set.
  SmtpServer(SmtpServerOptions options, SmtpPolicy policy);
  ~SmtpServer();  // stops the server if it runs
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;

  // Binds every listener, loads the certificate, starts serving. A failed
  // Status names the endpoint or file; then nothing listens.
  // REQUIRES: called once.
  Status Start();

  // Stops accepting, closes every session (a message not yet answered 250
  // is the client's to send again), waits for policy calls in progress,
  // and returns when no thread of the server runs.
  void Stop();

  // The port of the first listener (useful with port 0), 0 if none or
  // after Stop().
  uint16_t BoundPort() const;

  // Sessions open now (for tests and the status page).
  std::size_t open_sessions() const { return sessions_.load(); }

  // Everything a session uses; internal (smtp_server.cc), public so that
  // the session's code can name it.
  struct Shared;

 private:
  // Constant after construction.
  const SmtpServerOptions options_;
  const SmtpPolicy policy_;

  // Shared with the sessions; declared before io_ and pool_ so that they
  // outlive the coroutine frames those destroy.
  std::atomic<std::size_t> sessions_{0};
  std::unique_ptr<Shared> shared_;
  std::optional<boost::asio::ssl::context> tls_context_;

  boost::asio::io_context io_;
  // After io_: destroyed first, so that sessions suspended on a policy call
  // when the server is destroyed release their sockets while io_ lives.
  std::optional<boost::asio::thread_pool> pool_;
  std::vector<std::thread> io_threads_;
  bool running_ = false;
};

}  // namespace campaignd::events

#endif  // CAMPAIGND_EVENTS_SMTP_SERVER_H_
