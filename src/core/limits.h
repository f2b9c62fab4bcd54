// Every size, count and time limit of campaignd, named, with its unit and
// why it has this value (model: Postfix mail_params.h). Configuration may
// override some of them (see config/config.h); code never uses a bare number.
#ifndef CAMPAIGND_CORE_LIMITS_H_
#define CAMPAIGND_CORE_LIMITS_H_

#include <chrono>
#include <cstddef>

namespace campaignd::limits {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// --- Public HTTP API (behaviour.md §2 "Limits") ---
// Request target (path + query). Longer: 414. Real GET clients stay far below.
inline constexpr std::size_t kMaxUrlBytes = 8 * 1024;
// Header block without the request line. Larger: 431.
inline constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
// Request body. Larger: 413.
inline constexpr std::size_t kMaxBodyBytes = 1024 * 1024;
// Distinct parameters (query + body). More: 413 (too large an entity).
inline constexpr std::size_t kMaxParams = 200;
// uploadpersonalizedattachments: files per call and their total size.
inline constexpr std::size_t kMaxUploadFiles = 5;
inline constexpr std::size_t kMaxUploadBytes = 500 * 1000;
// How long an upload's token and files are kept (reference §3.4: 24 h).
inline constexpr hours kAttachmentLifetime{24};
// subscribe: bmOptinFrequencyLimit's default (the reference documents 10
// minutes), and the least a caller gets when asking for less (configurable:
// optin_frequency_limit). One confirmation mail per address in this time.
inline constexpr minutes kDefaultOptinFrequencyLimit{10};
// subscribe: confirmation mails per source (client and IPv4 address or IPv6
// /64) per window, whatever the addresses (configurable: optin_source_limit,
// optin_source_window). A person subscribes a few addresses at most; a web
// shop that calls subscribe from its own server for all its visitors is one
// source and needs a higher limit (or to be a trusted proxy).
inline constexpr int kDefaultOptinSourceLimit = 100;
inline constexpr seconds kDefaultOptinSourceWindow{600};
// A client must send the whole header block within this time...
inline constexpr seconds kHeaderReadTimeout{10};
// ...and the body within this time (slowloris protection).
inline constexpr seconds kBodyReadTimeout{30};
// An idle keep-alive connection is closed after this time.
inline constexpr seconds kKeepAliveIdleTimeout{30};
// Requests being processed at once; above it new requests get 503.
inline constexpr std::size_t kMaxInFlightRequests = 4096;
// Retry-After sent with every 503.
inline constexpr seconds kRetryAfter{5};
// On SIGTERM, in-flight requests get this long to finish.
inline constexpr seconds kShutdownGrace{10};
// After answering a request early (413/414/431), the server reads and drops
// what the client still sends for this long, so it sees the answer instead
// of a connection reset...
inline constexpr seconds kLingerTimeout{2};
// ...but at most this much (a few bodies' worth).
inline constexpr std::size_t kMaxLingerBytes = 4 * kMaxBodyBytes;

// --- Admin JSON API (docs/decisions/0012-admin-api.md "Where it listens") ---
// The same connection limits and timeouts as the public API above, but
// bodies per route: a JSON body is read whole before the route runs up to
// this (the largest single object, a mailing with its HTML, stays far
// below); larger: 413 before it is read...
inline constexpr std::size_t kMaxAdminBodyBytes = 1024 * 1024;
// ...except the bulk recipient upsert (at most 10 000 recipients, about
// 1.6 KB each), read only after the key was checked...
inline constexpr std::size_t kMaxAdminBulkBodyBytes = 16 * 1024 * 1024;
// ...and a CSV import, streamed row by row without a size limit.
// A streamed upload (bulk upsert, CSV import) holds one of the listener's
// handler threads while its client sends; one client key may run this many
// at once (more: 429), so a tenant cannot occupy them all (the admin key:
// no limit).
inline constexpr int kMaxAdminUploadsPerClient = 2;
// Arrays and objects nested in a JSON body; deeper: 400 before parsing (a
// parser's tree of a 16 MB "[[[[..." took ~0.9 GB). The API's deepest body
// (the bulk upsert: object, array, object, fields object) nests 4 levels.
inline constexpr int kMaxJsonDepth = 16;

// --- Field values and addresses ---
// RFC 5321 §4.5.3.1: local part 64 octets, domain 255, path 256.
inline constexpr std::size_t kMaxLocalPartBytes = 64;
inline constexpr std::size_t kMaxDomainBytes = 255;
inline constexpr std::size_t kMaxAddressBytes = 254;
// One recipient field value; larger values are refused as syntax_error.
inline constexpr std::size_t kMaxFieldValueBytes = 64 * 1024;

// --- Message ---
// RFC 5322 §2.1.1: a line must not exceed 998 octets plus CRLF.
inline constexpr std::size_t kMaxLineBytes = 998;
// Header lines are folded before this width where possible.
inline constexpr std::size_t kFoldWidth = 76;
// One rendered mail (and the admin preview and onlineversion of it). A
// template repeating a large field value can otherwise grow to gigabytes;
// rendering stops at this size and the mail is could_not_be_sent. Relays
// commonly accept 10 to 50 MB (Postfix's default message_size_limit is 10 MB).
inline constexpr std::size_t kMaxRenderedMessageBytes = 25 * 1024 * 1024;

// --- Queue (behaviour.md §4.2); all configurable ---
// First retry after a 4xx or a connection failure; doubles each time...
inline constexpr seconds kMinBackoff{60};
// ...up to this interval...
inline constexpr seconds kMaxBackoff{3600};
// ...until the mail is this old; then it is could_not_be_sent.
inline constexpr hours kMaxLifetime{24};
// A claim lasts this long; a worker that dies loses its claims after it.
inline constexpr seconds kClaimLease{300};
// Mails claimed per round trip to the store.
inline constexpr std::size_t kClaimBatch = 64;
// An idle worker looks for due mail at least this often.
inline constexpr milliseconds kIdlePoll{1000};
// getsendstatus answers the stored status for this long, then "enqueued".
inline constexpr hours kStatusRetention{24 * 14};
// Hard bounces after which a recipient gets too_many_bounces (per client).
inline constexpr int kDefaultBounceLimit = 3;

// --- Storage ---
// Writes committed together in one transaction by the group-commit writer.
inline constexpr std::size_t kMaxGroupCommit = 1024;
// SQLite busy timeout before a write answers Unavailable (503).
inline constexpr milliseconds kSqliteBusyTimeout{5000};

// --- Delivery ---
// SMTP connections per relay when the transport URL does not say.
inline constexpr int kDefaultRelayConnections = 4;
// SMTP timeouts per phase (Postfix's smtp_*_timeout; ours are shorter: a
// relay that hangs holds only its own sessions, but not for minutes).
// TCP connect (and the TLS handshake of smtps://).
inline constexpr seconds kSmtpConnectTimeout{30};
// The relay's greeting, once connected.
inline constexpr seconds kSmtpGreetingTimeout{60};
// The reply to each command (EHLO, STARTTLS and the TLS handshake after
// it, AUTH, MAIL, RCPT, DATA, RSET, QUIT).
inline constexpr seconds kSmtpCommandTimeout{60};
// Sending the message: the relay takes no byte of it for this long.
inline constexpr seconds kSmtpDataXferTimeout{60};
// The reply after the final ".".
inline constexpr seconds kSmtpDataDoneTimeout{120};
// A cached SMTP connection idle longer than this is closed.
inline constexpr seconds kSmtpIdleReuse{30};
// Most parallel SMTP sessions one transport may open (connections=N).
inline constexpr int kMaxRelayConnections = 64;
// Highest accepted rate=N (messages per second); above it, say 0 (unlimited).
inline constexpr double kMaxRelayRatePerSecond = 100000;
// A relay's reply text is cut at this size (RFC 5321 §4.5.3.1.5: a reply
// line is at most 512 octets; a multi-line reply of a few lines fits).
inline constexpr std::size_t kMaxReplyTextBytes = 2048;
// Longest mail ID accepted as a file name (".<id>.tmp" stays below NAME_MAX).
inline constexpr std::size_t kMaxFileMailIdBytes = 200;

// --- Inbound SMTP listener (events.md §2; Postfix smtpd's parameters) ---
// One inbound message (a bounce quotes the mail it returns; Postfix's
// message_size_limit default is 10 MB). The listener answers a larger one
// 552 5.3.4 and never holds more; the parser reads at most this much (the
// report parts come first: a returned copy of a large mail is cut).
inline constexpr std::size_t kMaxInboundMessageBytes = 10 * 1000 * 1000;
// A command line with its CRLF: RFC 5321 §4.5.3.1.4 allows 512 octets plus
// what the MAIL/RCPT extension parameters add. Longer: 500 5.5.2.
inline constexpr std::size_t kMaxSmtpCommandLineBytes = 1024;
// Sessions at once; more are answered 421 4.7.0 (default_process_limit).
inline constexpr std::size_t kMaxInboundConnections = 100;
// Recipients of one message; more get 452 4.5.3. A bounce or a complaint
// has one; forwarders batch a few.
inline constexpr std::size_t kMaxInboundRecipients = 100;
// Error replies (4xx/5xx) in one session before 421 and close
// (smtpd_hard_error_limit).
inline constexpr int kMaxInboundErrors = 20;
// Waiting for a command, writing a reply, reading one piece of the message
// (smtpd_timeout)...
inline constexpr seconds kInboundCommandTimeout{300};
// ...and the whole message from DATA to the final dot (a client trickling a
// byte a minute cannot hold the session forever).
inline constexpr seconds kInboundDataTimeout{600};

// --- Inbound reports: bounces, complaints (events.md §2, events/report.h) ---
// Lines starting with "--" (each a possible MIME boundary) read from one
// message; it is cut before the next one. GMime builds objects for every
// part (measured here: a 10 MiB message of 1.3 million empty parts took
// 40 s and 2 GB), so the parts, not the bytes, bound its work; a real
// report has a dozen such lines, a returned newsletter a few more.
inline constexpr std::size_t kMaxReportBoundaryLines = 1000;
// Recipients kept from one report; the rest are counted only (a DSN with
// 10,000 recipients must not become 10,000 events of one message).
inline constexpr std::size_t kMaxReportRecipients = 100;
// MIME levels the parser walks (a bounce of a bounce of a report needs 5);
// GMime itself stops nesting at 1024 levels (its MAX_LEVEL).
inline constexpr int kMaxReportMimeDepth = 16;
// Text of one body part that the rules for non-standard bounces read, and
// of an inline copy of the returned message (its headers come first).
inline constexpr std::size_t kMaxReportPartBytes = 1024 * 1024;
// Mail IDs collected from one report for attribution.
inline constexpr std::size_t kMaxReportMailIds = 8;

// --- Logging ---
// Untrusted text in a log line (core/log_text.h) is cut after this many
// bytes: a relay reply (2 KiB, above) fits whole, and a line stays bounded.
inline constexpr std::size_t kMaxLoggedTextBytes = 4096;

// --- Operator files (read whole into memory, so bounded) ---
// The config file and the provisioning file; a file with tens of thousands
// of codes stays far below.
inline constexpr std::size_t kMaxTomlFileBytes = 16 * 1024 * 1024;
// A DKIM private key file (PEM); an RSA-4096 key is about 3.3 KB, so a
// larger file is not a key.
inline constexpr std::size_t kMaxKeyFileBytes = 64 * 1024;

}  // namespace campaignd::limits

#endif  // CAMPAIGND_CORE_LIMITS_H_
