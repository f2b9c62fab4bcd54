// RenderMessage: field functions -> header fields -> MIME tree -> bytes.
// Header order and forms: docs/decisions/0005-field-functions.md (values)
// and the comments below (fields).
#include "render/message.h"

#include <cstdio>
#include <ctime>

#include "core/limits.h"
#include "render/body_encoding.h"
#include "render/field_functions.h"
#include "render/header_field.h"
#include "render/mailbox.h"
#include "render/mime.h"

namespace campaignd::render {
namespace {

// A mail ID is the left part of the Message-ID (RFC 5322 dot-atom-text).
constexpr std::size_t kMaxMailIdChars = 64;

Status CheckMailId(std::string_view id) {
  bool ok = !id.empty() && id.size() <= kMaxMailIdChars && id.front() != '.' && id.back() != '.' &&
            id.find("..") == std::string_view::npos;
  for (char c : id) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_' || c == '.';
    ok = ok && allowed;
  }
  if (!ok) return Status::InvalidArgument("mail ID is not a valid Message-ID part");
  return Status::Ok();
}

// RFC 5322 §3.3 date-time in UTC, e.g. "Mon, 06 May 2024 07:08:09 +0000";
// English names from tables, whatever the process locale is.
std::string FormatDate(TimePoint t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

// A URL can neither end its <...> early nor carry a line break into the header.
constexpr std::string_view kUrlChars = kUrlMarks;
// RFC 6068 §2 characters of an address in a mailto: URL.
constexpr std::string_view kMailtoChars = "-._~!$'()*+,;:@";

// RFC 2369 / RFC 8058 List-Unsubscribe value; empty when neither is given.
Result<std::string> ListUnsubscribe(const MessageInput& input) {
  std::string value;
  if (!input.list_unsubscribe_url.empty()) {
    value = "<" + PercentEncode(input.list_unsubscribe_url, kUrlChars) + ">";
  }
  if (!input.list_unsubscribe_mailto.empty()) {
    Result<Address> mailto = Address::Parse(input.list_unsubscribe_mailto, AddressLiterals::kAllow);
    if (!mailto.ok()) return mailto.status().WithContext("List-Unsubscribe mailto");
    if (!value.empty()) value += ", ";
    value += "<mailto:" + PercentEncode(mailto->ToAscii(), kMailtoChars) + "?subject=unsubscribe>";
  }
  return value;
}

Status Append(Result<std::string> field, std::string* out) {
  if (!field.ok()) return field.status();
  *out += *field;
  return Status::Ok();
}

// The header block up to Content-Type (which SerializeMessage adds).
Result<std::string> TopHeaders(const MessageInput& input, const RenderedTexts& texts,
                               const Mailbox& from, const Address& to) {
  std::string out;
  CAMPAIGND_RETURN_IF_ERROR(Append(MailboxField("From", from), &out));
  // A Reply-To that renders empty (e.g. "{replyto}" without a value) is left out.
  if (!TrimSpace(SanitizeHeaderText(texts.reply_to)).empty()) {
    Result<Mailbox> mailbox = ParseMailbox(texts.reply_to);
    if (!mailbox.ok()) return mailbox.status().WithContext("Reply-To");
    CAMPAIGND_RETURN_IF_ERROR(Append(MailboxField("Reply-To", *mailbox), &out));
  }
  CAMPAIGND_RETURN_IF_ERROR(Append(FoldField("To", to.ToAscii()), &out));
  CAMPAIGND_RETURN_IF_ERROR(Append(UnstructuredField("Subject", texts.subject), &out));
  CAMPAIGND_RETURN_IF_ERROR(Append(FoldField("Date", FormatDate(input.date)), &out));
  std::string message_id = "<" + input.mail_id + "@" + from.address.domain_ascii() + ">";
  CAMPAIGND_RETURN_IF_ERROR(Append(FoldField("Message-ID", message_id), &out));
  CAMPAIGND_RETURN_IF_ERROR(Append(FoldField("MIME-Version", "1.0"), &out));
  Result<std::string> unsubscribe = ListUnsubscribe(input);
  if (!unsubscribe.ok()) return unsubscribe.status();
  if (!unsubscribe->empty()) {
    CAMPAIGND_RETURN_IF_ERROR(Append(FoldField("List-Unsubscribe", *unsubscribe), &out));
  }
  if (!input.list_unsubscribe_url.empty()) {
    CAMPAIGND_RETURN_IF_ERROR(
        Append(FoldField("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"), &out));
  }
  if (!TrimSpace(input.feedback_id).empty()) {
    CAMPAIGND_RETURN_IF_ERROR(Append(UnstructuredField("Feedback-ID", input.feedback_id), &out));
  }
  CAMPAIGND_RETURN_IF_ERROR(Append(FoldField("X-Campaignd-Mail-Id", input.mail_id), &out));
  return out;
}

// text + HTML: multipart/alternative; one of them: a single part; neither:
// an empty text part. Attachments wrap it all in multipart/mixed.
MimePart BodyTree(const MessageInput& input, const RenderedTexts& texts) {
  MimePart body;
  if (!input.text.empty() && !input.html.empty()) {
    body =
        MultipartPart("alternative", {TextPart("plain", texts.text), TextPart("html", texts.html)});
  } else if (!input.html.empty()) {
    body = TextPart("html", texts.html);
  } else {
    body = TextPart("plain", texts.text);
  }
  if (input.attachments.empty()) return body;
  std::vector<MimePart> parts{std::move(body)};
  for (const Attachment& attachment : input.attachments)
    parts.push_back(AttachmentPart(attachment));
  return MultipartPart("mixed", std::move(parts));
}

}  // namespace

Result<RenderedMessage> RenderMessage(const MessageInput& input) {
  CAMPAIGND_RETURN_IF_ERROR(CheckMailId(input.mail_id));
  FieldContext context{input.fields, input.field_types};
  // Links are rewritten in the template (their index is their place in it,
  // render/tracking.h), the pixel goes into the rendered HTML; both before
  // the body is serialised, so the DKIM body hash covers them.
  std::string tracked_html;
  std::string_view html = input.html;
  if (input.tracking.links && !html.empty()) {
    tracked_html = RewriteTrackedLinks(
        html, input.tracking, [&context](std::string_view url) -> std::optional<std::string> {
          Result<std::string> rendered = ApplyFieldFunctions(url, context, EscapeMode::kHtml);
          if (!rendered.ok()) return std::nullopt;
          return std::move(rendered).value();
        });
    html = tracked_html;
  }
  Result<RenderedTexts> texts =
      RenderTexts({input.from, input.reply_to, input.subject, input.text, html}, context);
  if (!texts.ok()) return texts.status();
  if (input.tracking.pixel && !input.html.empty()) {
    texts->html = InsertOpenPixel(texts->html, input.tracking);
  }
  Result<Mailbox> from = ParseMailbox(texts->from);
  if (!from.ok()) return from.status().WithContext("From");
  // Stored recipients were checked on the way in (allow_address_literals).
  Result<Address> to = Address::Parse(input.to, AddressLiterals::kAllow);
  if (!to.ok()) return to.status().WithContext("To");
  Result<std::string> headers = TopHeaders(input, *texts, *from, *to);
  if (!headers.ok()) return headers.status();
  BoundaryMaker boundaries(input.boundary_seed);
  DkimBodyHash body_hash;  // fed each piece of the body as it is written: no pass of its own
  Result<std::string> bytes =
      SerializeMessage(*headers, BodyTree(input, *texts), boundaries,
                       [&body_hash](std::string_view piece) { body_hash.Update(piece); });
  if (!bytes.ok()) return bytes.status();
  // The texts fit; their transfer encoding and the attachments add to them.
  if (bytes->size() > limits::kMaxRenderedMessageBytes) {
    return Status::InvalidArgument("message larger than " +
                                   std::to_string(limits::kMaxRenderedMessageBytes) +
                                   " bytes once encoded");
  }
  Result<DkimBodyDigest> digest = body_hash.Finish();
  if (!digest.ok()) return digest.status();
  return RenderedMessage{std::move(bytes).value(), from->address.ToAscii(), to->ToAscii(),
                         from->address.domain_ascii(), *digest};
}

}  // namespace campaignd::render
