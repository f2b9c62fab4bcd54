// The inbound report parser (events.md §2 "Parsing"): one message that came
// back to a bounce or complaint address becomes an InboundReport - a
// delivery status notification (RFC 3464, or a non-standard bounce read by
// the rules table of text_bounce.h), a feedback report (RFC 5965 ARF), an
// auto-reply (RFC 3834 and its non-standard cousins: ignored), or unknown.
// It also collects what names the mail the report is about (VERP addresses,
// X-Campaignd-Mail-Id and Message-ID of the returned message), syntax only:
// the caller verifies a MailId's MAC with its client's secret.
// Callers: the inbound SMTP listener and `campaignd inbound` (to come).
// Input: hostile bytes of any size; MIME is parsed by GMime only, and the
// result is bounded by ParseLimits (recipients kept, MIME depth, part
// text); every string in the result is UTF-8 without control characters,
// cut to a field limit. Threads: safe to call from any thread at once
// (GMime is initialised once, on first use).
// Errors: InvalidArgument when the bytes are not a message at all; a
// message that is none of the above is kind kUnknown, not an error.
#ifndef CAMPAIGND_EVENTS_REPORT_H_
#define CAMPAIGND_EVENTS_REPORT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.h"
#include "core/mail_id.h"
#include "core/status.h"
#include "events/classify.h"

namespace campaignd::events {

enum class ReportKind { kUnknown, kDsn, kComplaint, kAutoReply };

// "unknown", "dsn", "complaint", "auto_reply".
std::string_view ReportKindName(ReportKind kind);

struct ParseLimits {
  // Bytes of the message read; the rest is ignored (`message_cut`).
  std::size_t max_message_bytes = limits::kMaxInboundMessageBytes;
  // Lines starting with "--" read; the message is cut before the next one
  // (`message_cut`): this bounds the MIME parts GMime builds.
  std::size_t max_boundary_lines = limits::kMaxReportBoundaryLines;
  // Recipient entries kept; the others are only counted (`truncated`).
  std::size_t max_recipients = limits::kMaxReportRecipients;
  // MIME levels walked below the top (deeper parts are not looked at).
  int max_depth = limits::kMaxReportMimeDepth;
  // Text of one body part read by the non-standard rules.
  std::size_t max_part_bytes = limits::kMaxReportPartBytes;
};

// One recipient of a report: an RFC 3464 per-recipient group, or the
// address a rule found in a non-standard bounce.
struct RecipientReport {
  // The address (type "rfc822;" and angle brackets removed; normalised as
  // core/address.h does when it is a valid address, else the text as sent).
  std::string final_recipient;
  std::string original_recipient;
  std::string action;      // lower-case: failed, delayed, delivered, relayed, expanded, or empty
  std::string status;      // "5.1.1"; from the diagnostic when the Status field is missing
  std::string diagnostic;  // Diagnostic-Code without its type ("550 5.1.1 ... user unknown")
  std::string remote_mta;  // Remote-MTA without its type
  BounceCategory category = BounceCategory::kNone;
  std::string_view rule;  // the Classify() rule that decided the category
};

// Where a mail ID was found, in the order of trust (events.md §2: "the VERP
// address first, then X-Campaignd-Mail-Id / Message-ID").
enum class MailIdSource {
  kVerpRecipient,         // X-Original-To / Delivered-To / To of the report itself
  kVerpReturnPath,        // Return-Path of the returned message
  kVerpArfMailFrom,       // ARF Original-Mail-From
  kReturnedMailIdHeader,  // X-Campaignd-Mail-Id of the returned message
  kReturnedMessageId,     // Message-ID <MAILID@domain> of the returned message
};

struct MailIdCandidate {
  MailId mail_id;
  MailIdSource source;
};

struct InboundReport {
  ReportKind kind = ReportKind::kUnknown;
  // Which reader decided: "rfc3464", "arf", a rule of text_bounce.h
  // ("qmail", "exim", "exchange", "yahoo", "fallback"), or for auto-replies
  // the sign ("Auto-Submitted", "X-Autoreply", "subject", ...).
  std::string format;
  std::string reporting_mta;                // DSN Reporting-MTA without its type
  std::vector<RecipientReport> recipients;  // at most ParseLimits::max_recipients
  std::size_t recipients_total = 0;         // all the report named
  bool truncated = false;                   // recipients_total > recipients.size()
  bool message_cut = false;                 // the message was longer than max_message_bytes

  // ARF (kind kComplaint, or kUnknown for feedback types other than abuse).
  std::string feedback_type;  // lower-case: abuse, fraud, not-spam, virus, other, ...
  std::string user_agent;
  std::string original_rcpt_to;    // Original-Rcpt-To, else the returned message's To
  std::string original_mail_from;  // Original-Mail-From

  // The returned message (message/rfc822, text/rfc822-headers, or an inline
  // copy after a non-standard bounce's marker line).
  bool has_returned_message = false;
  std::string returned_to;           // first To address
  std::string returned_return_path;  // its envelope sender, when it says
  std::string returned_message_id;   // without <>
  // The returned message is itself a report or auto-reply (a bounce of a
  // bounce): campaignd never sends those, so `mail_ids` stays empty.
  bool returned_is_report = false;

  // Mail IDs (syntax-checked, MAC not verified), most trusted first, each
  // ID once, at most limits::kMaxReportMailIds.
  std::vector<MailIdCandidate> mail_ids;
};

// Parses `message` (the bytes as received, CRLF or LF). See the file
// comment for what is recognised and the bounds.
Result<InboundReport> ParseReport(std::string_view message, const ParseLimits& limits = {});

}  // namespace campaignd::events

#endif  // CAMPAIGND_EVENTS_REPORT_H_
