// RenderMessage: turns a mailing's templates and one recipient's values into
// the RFC 5322 / MIME bytes of one mail (behaviour.md §4.3, §4.4; field
// functions: docs/decisions/0005-field-functions.md) and the DKIM body hash
// of them, taken while the body is written; DkimSigner (dkim.h) then signs
// them without reading the body again. Called by queue/ workers. Bytes in, bytes out: no I/O,
// no clock (the Date is an input), no randomness unless boundary_seed is empty.
// Input: templates are trusted (provisioned), field values untrusted.
// Threads: pure functions, safe from any thread.
// Errors: InvalidArgument for an unusable address or mail ID (see below).
#ifndef CAMPAIGND_RENDER_MESSAGE_H_
#define CAMPAIGND_RENDER_MESSAGE_H_

#include <map>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/fields.h"
#include "core/status.h"
#include "render/dkim.h"
#include "render/tracking.h"

namespace campaignd::render {

struct Attachment {
  std::string file_name;
  std::string content_type;
  std::string data;
};

struct MessageInput {
  // Templates of the mailing (field functions not yet applied).
  std::string from;      // "Display Name <addr>" or "addr"
  std::string reply_to;  // optional, same forms
  std::string subject;
  std::string text;  // text part; empty: none
  std::string html;  // HTML part; empty: none (both empty: an empty text part)

  std::string to;  // the recipient address (validated, normalised)
  // Values for field functions, keys lower-case: the recipient's fields plus
  // the system fields bmmailid, bmrecipientid, bmmailingid,
  // bmunsubscribeurl, bmonlineversionurl (and bmoptinurl where it applies).
  FieldValues fields;
  // Field types (lower-case name -> text|int|decimal|bool|date|datetime);
  // date and datetime values render as YYYY-MM-DD unless a format is given.
  std::map<std::string, std::string> field_types;

  std::string mail_id;                  // Message-ID local part, X-Campaignd-Mail-Id
  std::string list_unsubscribe_url;     // https one-click URL (RFC 8058)
  std::string list_unsubscribe_mailto;  // address for the mailto: alternative
  std::string feedback_id;              // Feedback-ID header value
  TimePoint date;
  std::vector<Attachment> attachments;
  // Non-empty: MIME boundaries derived from it (golden tests); empty: random.
  std::string boundary_seed;
  // Opens and clicks (render/tracking.h): the HTML part's links rewritten
  // and/or the open pixel added; the text part is never changed.
  TrackingInput tracking;
};

struct RenderedMessage {
  std::string bytes;          // CRLF line ends, lines <= 998 octets, not dot-stuffed
  std::string envelope_from;  // From address, IDN domain punycoded
  std::string envelope_to;    // To address, IDN domain punycoded
  std::string from_domain;    // lower-case ASCII domain of From (DKIM key choice)
  DkimBodyDigest dkim_body_hash;  // bh= of `bytes` (DkimSigner::Sign)
};

// The mail for `input`. InvalidArgument, the message naming the field, when
// the rendered From/Reply-To, the To or the List-Unsubscribe mailto is not a
// valid address, the mail ID is not a valid Message-ID part, or a header
// cannot be written within 998 octets, or the message would be larger than
// limits::kMaxRenderedMessageBytes (field functions stop as soon as their
// texts exceed it, render/field_functions.h RenderTexts): the mail becomes
// could_not_be_sent with that reason. Internal when the CSPRNG fails
// (random boundaries) or OpenSSL cannot hash the body.
Result<RenderedMessage> RenderMessage(const MessageInput& input);

}  // namespace campaignd::render

#endif  // CAMPAIGND_RENDER_MESSAGE_H_
