// Inbound bounces and complaints, end to end (events.md §2 "Inbound",
// "Counting"; docs/decisions/0020-bounce-domain.md): one message that came
// back to a client's VERP return path or complaint address is parsed
// (report.h), attributed to the mail it is about, and recorded in ONE write
// transaction with the state change it causes - a bounce event and, for a
// hard bounce (or the fifth soft one in a row), one more on the
// recipient's bounce count; a spamcomplaint event, the unsubscribe of the
// recipient (its list's state and the client-wide record, as the HTTP API's
// unsubscribe writes them) and its unsubscribe event.
// Attribution: the envelope recipient decides whose message it may be - a
// VERP address whose domain is the bounce domain of the client its mail ID
// names and whose MAC verifies under that client's secret (MailId::Verify:
// constant time), or a client's complaint address; then the first mail ID
// (the envelope's VERP one, then report.h's candidates: VERP headers,
// X-Campaignd-Mail-Id, Message-ID) of such a client whose MAC verifies.
// A mail of another client, a forged MAC, an unknown domain, a bounce of a
// bounce: not attributed - counted and logged, never an error that makes
// the sender retry.
// Callers: `campaignd serve` (the SMTP listener's policy: InboundPolicy)
// and `campaignd inbound` (main.cc). Threads: safe to call from any thread
// at once (the store's are). Errors: InvalidArgument when the bytes are not
// a message (report.h); the store's Status (Unavailable: try again).
#ifndef CAMPAIGND_EVENTS_INBOUND_H_
#define CAMPAIGND_EVENTS_INBOUND_H_

#include <atomic>
#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "events/smtp_server.h"
#include "store/sql_session.h"
#include "store/store.h"

namespace campaignd::events {

enum class InboundOutcome {
  kRecorded,      // a bounce or complaint written
  kIgnored,       // an auto-reply, a DSN that reports no failure, a feedback type not abuse
  kUnattributed,  // no mail of a client this recipient belongs to (logged, counted)
};
// "recorded", "ignored", "unattributed".
std::string_view InboundOutcomeName(InboundOutcome outcome);

struct InboundResult {
  InboundOutcome outcome = InboundOutcome::kUnattributed;
  // One line for the log, e.g. "bounce hard 5.1.1 mail 1-2-ABC", "auto-reply
  // (Auto-Submitted)", "no mail ID of this recipient's client"; built from
  // parsed fields, so it is escaped (core/log_text.h) where it is logged.
  std::string what;
  std::string mail_id;  // kRecorded: the mail's ID
};

// Soft bounces in a row (no delivery in between) that count as one hard.
inline constexpr int kSoftBouncesAsHard = 5;

class Inbound {
 public:
  // REQUIRES: both outlive this.
  Inbound(store::Directory& directory, store::SqlRunner& runner, const Clock& clock)
      : directory_(directory), runner_(runner), clock_(clock) {}

  // Whether the listener takes mail for `address` (RCPT TO, without <>):
  // a valid VERP address of a configured bounce domain (MAC verified) or a
  // client's complaint address.
  Result<bool> Accepts(std::string_view address);

  // Parses, attributes and records `message`, sent to `recipients` (the
  // envelope's; empty: unknown, as from procmail - then any client with a
  // bounce domain or complaint address may own it).
  Result<InboundResult> Process(std::string_view message, std::span<const std::string> recipients);

  // Messages per outcome since start (the status page, tests).
  int64_t count(InboundOutcome outcome) const { return counts_[static_cast<int>(outcome)].load(); }

 private:
  store::Directory& directory_;
  store::SqlRunner& runner_;
  const Clock& clock_;
  std::atomic<int64_t> counts_[3] = {0, 0, 0};
};

// The SmtpServer policy over `inbound`: RCPT by Accepts (a store failure is
// a temporary failure), each message by Process - 250 for every outcome
// (an unattributed message is not the sender's to retry), 554 5.6.0 for
// bytes that are not a message, 451 when the store cannot take it.
// REQUIRES: `inbound` outlives the server.
SmtpPolicy InboundPolicy(Inbound& inbound);

// `campaignd inbound` (events.md §2 "Inbound" 2): reads one message from
// `in` (at most limits::kMaxInboundMessageBytes are kept; the rest is read
// and dropped), opens `db_url` and processes it for `recipients`. The
// sysexits code a Postfix pipe transport expects: 0 done (whatever the
// outcome: an unattributed message is not the sender's to retry),
// kExitDataError (65) for bytes that are not a message, kExitTempFail (75)
// when the database cannot be opened or written (Postfix retries later).
inline constexpr int kExitDataError = 65;  // EX_DATAERR
inline constexpr int kExitTempFail = 75;   // EX_TEMPFAIL
int RunInbound(const std::string& db_url, std::span<const std::string> recipients, std::istream& in,
               std::ostream& err);

// The --help text of `campaignd inbound`, with a Postfix master.cf example.
extern const char kInboundHelp[];

}  // namespace campaignd::events

#endif  // CAMPAIGND_EVENTS_INBOUND_H_
