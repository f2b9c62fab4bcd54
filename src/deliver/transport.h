// Transport: hands one finished message to its destination - an SMTP relay
// (smtp://, smtps://; libcurl) or a directory (file:DIR, the embedded
// default). Called by queue/ workers; nothing else in campaignd speaks SMTP.
// Threads: Deliver() is safe to call from many threads at once; a transport
// runs at most `connections` SMTP sessions in parallel, reuses idle ones,
// and keeps to its rate limit (messages per second) across all callers.
// Errors: never throws; every outcome is a DeliveryResult.
#ifndef CAMPAIGND_DELIVER_TRANSPORT_H_
#define CAMPAIGND_DELIVER_TRANSPORT_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/limits.h"
#include "core/status.h"

namespace campaignd::deliver {

struct Envelope {
  std::string mail_from;  // ASCII (IDN punycoded); may be empty (null sender)
  std::string rcpt_to;    // ASCII (IDN punycoded); exactly one recipient
  std::string mail_id;    // names the .eml file of the file transport; logs
};

enum class DeliveryKind {
  kDelivered,         // 2xx after DATA (or the file is durably written)
  kTemporaryFailure,  // 4xx, connection/TLS/timeout failure: retry later
  kPermanentFailure,  // 5xx for this recipient or message: do not retry
};

struct DeliveryResult {
  DeliveryKind kind = DeliveryKind::kTemporaryFailure;
  // Code of the SMTP reply that decided the outcome; 0 when no reply did
  // (connection, TLS or timeout failure, a dropped connection, file transport).
  int smtp_code = 0;
  // The relay's reply as sent ("250 2.0.0 Ok: queued as 4F9Q", "550 5.1.1
  // <x>: Recipient address rejected"; a multi-line reply joined by spaces),
  // or the error text ("Couldn't connect to server: ..."). Never a password.
  std::string reply;
  // The relay refused the sender (a 5xx to MAIL FROM): permanent for this
  // mail, but not the recipient's fault, so it is no hard bounce of theirs.
  bool sender_refused = false;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Delivers `message` (RFC 5322 bytes with CRLF line ends, not yet
  // dot-stuffed) to `envelope.rcpt_to`. Blocks until the final reply (and
  // while all sessions are busy or the rate limit says wait). An envelope
  // address unusable on the wire, or an unsafe mail_id for file:, is a
  // kPermanentFailure. A failed AUTH is temporary: a configuration problem
  // must not bounce the recipient.
  virtual DeliveryResult Deliver(const Envelope& envelope, std::string_view message) = 0;
  // The URL it was opened with, password removed (for logs, and as the key
  // of the relay's shared rate window).
  virtual std::string Describe() const = 0;
  // The relay's rate= (messages per second; 0 = unlimited). Deliver()
  // keeps to it within this process; queue/ also counts it in the store's
  // shared windows so it holds across every process (store.h Coordination).
  virtual double RatePerSecond() const { return 0; }
  // How many Deliver() calls can make progress at once (an SMTP relay's
  // connections=); 0: no limit of its own (a directory). queue/ runs at most
  // this many deliveries on it, so no caller ever waits for a session.
  virtual int Concurrency() const { return 0; }
};

// How long an SMTP session may wait in each phase; a phase that runs out
// ends the attempt as a temporary failure whose reply names the phase
// ("timed out after 60 s waiting for the reply to RCPT"). Every wait of a
// session is bounded by one of them, so a relay that hangs holds a session
// for at most that long.
struct SmtpTimeouts {
  std::chrono::milliseconds connect = limits::kSmtpConnectTimeout;
  std::chrono::milliseconds greeting = limits::kSmtpGreetingTimeout;
  std::chrono::milliseconds command = limits::kSmtpCommandTimeout;
  std::chrono::milliseconds data = limits::kSmtpDataXferTimeout;
  std::chrono::milliseconds data_done = limits::kSmtpDataDoneTimeout;
  // The whole attempt, whatever phase it is in. queue/ sets it to half the
  // claim lease, so a mail's lease never runs out while it is in SMTP.
  std::chrono::milliseconds attempt = limits::kClaimLease / 2;
};

// Options that are not part of the URL.
struct TransportOptions {
  SmtpTimeouts timeouts;
  // A cached connection idle longer than this is closed, not reused.
  std::chrono::seconds idle_reuse = limits::kSmtpIdleReuse;
  // Parallel sessions when the URL has no connections=N.
  int default_connections = limits::kDefaultRelayConnections;
  // The directory file: transports write below (the setting outbox_root):
  // file:DIR writes to outbox_root/DIR, never outside it.
  std::string outbox_root = ".";
};

// Opens a transport from its URL:
//   file:DIR | file://DIR                 write outbox_root/DIR/<mail_id>.eml
//                                         atomically (DIR relative, no "..")
//   smtp://[user:pass@]host[:port][?opts]  plain SMTP, STARTTLS per opts
//   smtps://[user:pass@]host[:port][?opts] implicit TLS
// opts (&-separated): starttls=required|optional|never (smtp:// default
// optional, required with a user), connections=N (parallel sessions,
// default 4), rate=N (messages per second, 0 = unlimited), cafile=PATH
// (trust anchor for the relay's certificate), verify=false (do not check the
// certificate; logged loudly), helo=NAME (EHLO name; percent-encode an
// [address literal]), allow_plain_auth=true (a user with starttls=optional
// or never: the operator accepts the password in clear; not needed for a
// loopback relay). Unknown or repeated options are errors. The rules are
// transport_url.h's. InvalidArgument naming the problem for a bad URL or an
// unreadable cafile (never quoting the password); IOError when the file
// transport's directory cannot be created. The transport must outlive every
// Deliver() call on it.
Result<std::unique_ptr<Transport>> OpenTransport(std::string_view url,
                                                 const TransportOptions& options);

}  // namespace campaignd::deliver

#endif  // CAMPAIGND_DELIVER_TRANSPORT_H_
