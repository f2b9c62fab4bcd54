// The inbound report parser (report.h) over GMime 3. GMime builds the MIME
// tree (it never recurses more than 1024 levels, its MAX_LEVEL); this file
// walks at most ParseLimits::max_depth of it, reads the report parts, and
// copies out only bounded, cleaned strings. Every GObject is held by a
// GRef, so no path leaks one.
#include "events/report.h"

#include <gmime/gmime.h>

#include <algorithm>
#include <memory>
#include <mutex>

#include "core/address.h"
#include "core/verp.h"
#include "events/text.h"
#include "events/text_bounce.h"

namespace campaignd::events {
namespace {

// Longest Action value kept ("delivered" is the longest defined).
constexpr std::size_t kMaxActionBytes = 16;
// An MTA name (Reporting-MTA, Remote-MTA): a host name with a little room.
constexpr std::size_t kMaxMtaBytes = limits::kMaxDomainBytes + 64;
// Feedback-Type, User-Agent of an ARF report.
constexpr std::size_t kMaxArfFieldBytes = 256;

void InitGMime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

struct GUnref {
  void operator()(void* object) const {
    if (object != nullptr) g_object_unref(object);
  }
};
template <typename T>
using GRef = std::unique_ptr<T, GUnref>;

// `bytes` parsed as one message (headers and body), or null.
GRef<GMimeMessage> ParseMessage(std::string_view bytes) {
  GRef<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
  GRef<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  return GRef<GMimeMessage>(g_mime_parser_construct_message(parser.get(), nullptr));
}

std::string_view Header(GMimeObject* object, const char* name) {
  const char* value = g_mime_object_get_header(object, name);
  return value == nullptr ? std::string_view() : std::string_view(value);
}

bool IsType(GMimeObject* object, const char* type, const char* subtype) {
  GMimeContentType* content_type = g_mime_object_get_content_type(object);
  return content_type != nullptr && g_mime_content_type_is_type(content_type, type, subtype);
}

// The decoded content of a leaf part (transfer encoding undone), or the
// text of an embedded message; at most the part's size in the input.
std::string PartBytes(GMimeObject* object) {
  GRef<GMimeStream> out(g_mime_stream_mem_new());
  if (GMIME_IS_PART(object)) {
    GMimeDataWrapper* content = g_mime_part_get_content(GMIME_PART(object));
    if (content == nullptr) return {};
    g_mime_data_wrapper_write_to_stream(content, out.get());
  } else if (GMIME_IS_MESSAGE_PART(object)) {
    GMimeMessage* message = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
    if (message == nullptr) return {};
    g_mime_object_write_to_stream(GMIME_OBJECT(message), nullptr, out.get());
  } else {
    return {};
  }
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

// "rfc822; a@b.example" -> "a@b.example" (the type of RFC 3464 fields).
std::string_view AfterType(std::string_view value) {
  std::size_t semicolon = value.find(';');
  return TrimSpace(semicolon == std::string_view::npos ? value : value.substr(semicolon + 1));
}

// An address as a report states it: cleaned, angle brackets removed, and
// normalised as core/address.h does when it is one.
std::string CleanAddress(std::string_view text) {
  std::string cleaned = CleanField(text, limits::kMaxAddressBytes + 2);
  std::string_view s = cleaned;
  if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
  Result<Address> address = Address::Parse(s, AddressLiterals::kAllow);
  if (address.ok()) return address->str();
  return std::string(s.substr(0, limits::kMaxAddressBytes));
}

// The first mailbox address of an address header of `message`.
std::string FirstAddress(GMimeMessage* message, GMimeAddressType type) {
  InternetAddressList* list = g_mime_message_get_addresses(message, type);
  int count = list == nullptr ? 0 : internet_address_list_length(list);
  for (int i = 0; i < count; ++i) {
    InternetAddress* address = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_MAILBOX(address)) {
      const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
      if (addr != nullptr) return CleanAddress(addr);
    }
  }
  return {};
}

// Calls `fn(group)` for each RFC 3464 field group of `text` (the text
// split at blank lines), in order, without keeping them.
template <typename Fn>
void ForEachGroup(std::string_view text, Fn fn) {
  std::size_t pos = 0;
  std::size_t group_start = std::string_view::npos;
  std::size_t group_end = 0;
  while (pos < text.size()) {
    std::size_t line_start = pos;
    std::string_view line = NextLine(text, &pos);
    if (TrimSpace(line).empty()) {
      if (group_start != std::string_view::npos)
        fn(text.substr(group_start, group_end - group_start));
      group_start = std::string_view::npos;
      continue;
    }
    if (group_start == std::string_view::npos) group_start = line_start;
    group_end = pos;
  }
  if (group_start != std::string_view::npos) fn(text.substr(group_start, group_end - group_start));
}

// One field group as header fields (GMime unfolds and decodes them).
GRef<GMimeMessage> ParseGroup(std::string_view group) {
  std::string text(group);
  text += "\n\n";
  return ParseMessage(text);
}

// Cuts `*message` before its line number max_lines + 1 that starts with
// "--"; true when it did.
bool CutAtBoundaryLines(std::string_view* message, std::size_t max_lines) {
  std::size_t lines = 0;
  std::size_t at = 0;
  while (at + 1 < message->size()) {
    if ((*message)[at] == '-' && (*message)[at + 1] == '-' && ++lines > max_lines) {
      *message = message->substr(0, at);
      return true;
    }
    std::size_t newline = message->find('\n', at);
    if (newline == std::string_view::npos) break;
    at = newline + 1;
  }
  return false;
}

class Parser {
 public:
  Parser(const ParseLimits& limits, InboundReport* report) : limits_(limits), r_(*report) {}

  void Run(GMimeMessage* message);

 private:
  GMimeMultipart* FindReport(GMimeObject* object, int depth);
  void FindBodyParts(GMimeObject* object, int depth);
  void ReadDeliveryStatus(std::string_view text);
  void ReadFeedbackReport(std::string_view text);
  void ReadReturned(GMimeMessage* returned);
  void ReadReturnedHeaders(std::string_view text);
  bool ReadTextBounce(GMimeMessage* message);
  void ReadAutoReply(GMimeMessage* message);
  void AddVerp(std::string_view address, MailIdSource source);
  void AddMailId(std::string_view text, MailIdSource source);
  void FinishMailIds();
  void AddRecipient(RecipientReport entry);

  const ParseLimits& limits_;
  InboundReport& r_;
  // Of the message's body outside the report: the first text/plain part
  // and the first attached message (for the non-standard formats).
  std::string first_text_;
  bool have_text_ = false;
  GMimeObject* attached_ = nullptr;  // owned by the message
};

GMimeMultipart* Parser::FindReport(GMimeObject* object, int depth) {
  if (object == nullptr || depth > limits_.max_depth || !GMIME_IS_MULTIPART(object)) return nullptr;
  if (IsType(object, "multipart", "report")) return GMIME_MULTIPART(object);
  GMimeMultipart* multipart = GMIME_MULTIPART(object);
  int count = g_mime_multipart_get_count(multipart);
  for (int i = 0; i < count; ++i) {
    if (GMimeMultipart* found = FindReport(g_mime_multipart_get_part(multipart, i), depth + 1)) {
      return found;
    }
  }
  return nullptr;
}

void Parser::FindBodyParts(GMimeObject* object, int depth) {
  if (object == nullptr || depth > limits_.max_depth) return;
  if (GMIME_IS_MULTIPART(object)) {
    GMimeMultipart* multipart = GMIME_MULTIPART(object);
    int count = g_mime_multipart_get_count(multipart);
    for (int i = 0; i < count; ++i)
      FindBodyParts(g_mime_multipart_get_part(multipart, i), depth + 1);
    return;
  }
  if ((GMIME_IS_MESSAGE_PART(object) || IsType(object, "text", "rfc822-headers")) &&
      attached_ == nullptr) {
    attached_ = object;
    return;
  }
  if (!have_text_ && GMIME_IS_TEXT_PART(object) && IsType(object, "text", "plain")) {
    char* text = g_mime_text_part_get_text(GMIME_TEXT_PART(object));
    if (text != nullptr) {
      std::string_view view(text);
      first_text_.assign(view.substr(0, limits_.max_part_bytes));
      g_free(text);
      have_text_ = true;
    }
  }
}

void Parser::AddRecipient(RecipientReport entry) {
  ++r_.recipients_total;
  if (r_.recipients.size() >= limits_.max_recipients) return;
  Classification c = Classify(entry.action, entry.status, entry.diagnostic);
  entry.category = c.category;
  entry.rule = c.rule;
  r_.recipients.push_back(std::move(entry));
}

// GMime parses the per-message group and at most max_recipients
// per-recipient groups; the others are only counted, so a report of a
// million groups costs one scan.
void Parser::ReadDeliveryStatus(std::string_view text) {
  bool first = true;
  std::size_t parsed = 0;
  ForEachGroup(text, [&](std::string_view group) {
    bool per_message =
        first && FindIgnoringCase(group, "final-recipient") == std::string_view::npos;
    first = false;
    if (!per_message && parsed >= limits_.max_recipients) {
      ++r_.recipients_total;  // counted, not parsed
      return;
    }
    if (!per_message) ++parsed;
    GRef<GMimeMessage> fields = ParseGroup(group);
    if (fields == nullptr) return;
    GMimeObject* g = GMIME_OBJECT(fields.get());
    if (per_message) {
      r_.reporting_mta = CleanField(AfterType(Header(g, "Reporting-MTA")), kMaxMtaBytes);
      return;
    }
    RecipientReport entry;
    entry.final_recipient = CleanAddress(AfterType(Header(g, "Final-Recipient")));
    entry.original_recipient = CleanAddress(AfterType(Header(g, "Original-Recipient")));
    entry.action = Lowered(CleanField(Header(g, "Action"), kMaxActionBytes));
    entry.diagnostic =
        CleanField(AfterType(Header(g, "Diagnostic-Code")), limits::kMaxReplyTextBytes);
    entry.status = FindStatusCode(Header(g, "Status"));
    if (entry.status.empty()) entry.status = FindStatusCode(entry.diagnostic);
    entry.remote_mta = CleanField(AfterType(Header(g, "Remote-MTA")), kMaxMtaBytes);
    if (entry.final_recipient.empty() && entry.original_recipient.empty()) {
      ++r_.recipients_total;  // a group that names nobody is counted only
      return;
    }
    AddRecipient(std::move(entry));
  });
}

void Parser::ReadFeedbackReport(std::string_view text) {
  std::string_view first_group;
  ForEachGroup(text, [&](std::string_view group) {
    if (first_group.empty()) first_group = group;
  });
  if (first_group.empty()) return;
  GRef<GMimeMessage> fields = ParseGroup(first_group);
  if (fields == nullptr) return;
  GMimeObject* g = GMIME_OBJECT(fields.get());
  r_.feedback_type = Lowered(CleanField(Header(g, "Feedback-Type"), kMaxArfFieldBytes));
  r_.user_agent = CleanField(Header(g, "User-Agent"), kMaxArfFieldBytes);
  r_.original_rcpt_to = CleanAddress(AfterType(Header(g, "Original-Rcpt-To")));
  r_.original_mail_from = CleanAddress(AfterType(Header(g, "Original-Mail-From")));
  AddVerp(r_.original_mail_from, MailIdSource::kVerpArfMailFrom);
}

void Parser::ReadReturned(GMimeMessage* returned) {
  if (returned == nullptr) return;
  GMimeObject* object = GMIME_OBJECT(returned);
  r_.has_returned_message = true;
  r_.returned_to = FirstAddress(returned, GMIME_ADDRESS_TYPE_TO);
  r_.returned_return_path = CleanAddress(Header(object, "Return-Path"));
  const char* message_id = g_mime_message_get_message_id(returned);
  r_.returned_message_id =
      CleanField(message_id == nullptr ? "" : message_id, limits::kMaxLineBytes);
  std::string_view auto_submitted = TrimSpace(Header(object, "Auto-Submitted"));
  GMimeObject* body = g_mime_message_get_mime_part(returned);
  r_.returned_is_report =
      (body != nullptr && IsType(body, "multipart", "report")) ||
      (!auto_submitted.empty() && !StartsWithIgnoringCase(auto_submitted, "no")) ||
      TrimSpace(Header(object, "Return-Path")) == "<>";
  if (r_.returned_is_report) return;
  AddVerp(r_.returned_return_path, MailIdSource::kVerpReturnPath);
  AddMailId(TrimSpace(Header(object, "X-Campaignd-Mail-Id")), MailIdSource::kReturnedMailIdHeader);
  std::string_view id = r_.returned_message_id;
  AddMailId(id.substr(0, id.find('@')), MailIdSource::kReturnedMessageId);
}

void Parser::ReadReturnedHeaders(std::string_view text) {
  std::string headers(text);
  headers += "\n\n";
  GRef<GMimeMessage> returned = ParseMessage(headers);
  ReadReturned(returned.get());
}

void Parser::AddVerp(std::string_view address, MailIdSource source) {
  Result<VerpAddress> verp = ParseVerpAddress(address);
  if (verp.ok()) r_.mail_ids.push_back({verp->mail_id, source});
}

void Parser::AddMailId(std::string_view text, MailIdSource source) {
  if (text.empty() || text.size() > limits::kMaxLineBytes) return;
  Result<MailId> id = MailId::Parse(text);
  if (id.ok()) r_.mail_ids.push_back({*id, source});
}

void Parser::FinishMailIds() {
  std::vector<MailIdCandidate>& ids = r_.mail_ids;
  std::stable_sort(ids.begin(), ids.end(), [](const MailIdCandidate& a, const MailIdCandidate& b) {
    return a.source < b.source;
  });
  std::vector<MailIdCandidate> unique;
  for (const MailIdCandidate& candidate : ids) {
    bool seen = std::any_of(unique.begin(), unique.end(), [&](const MailIdCandidate& u) {
      return u.mail_id == candidate.mail_id;
    });
    if (!seen && unique.size() < limits::kMaxReportMailIds) unique.push_back(candidate);
  }
  ids = std::move(unique);
}

bool Parser::ReadTextBounce(GMimeMessage* message) {
  const char* subject = g_mime_message_get_subject(message);
  std::string from = FirstAddress(message, GMIME_ADDRESS_TYPE_FROM);
  TextBounce bounce;
  if (!MatchTextBounce(subject == nullptr ? "" : subject, from, first_text_, limits_.max_recipients,
                       &bounce)) {
    return false;
  }
  r_.kind = ReportKind::kDsn;
  r_.format = std::string(bounce.format);
  for (const TextBounceRecipient& found : bounce.recipients) {
    RecipientReport entry;
    entry.final_recipient = CleanAddress(found.address);
    entry.action = std::string(bounce.action);
    entry.diagnostic = CleanField(found.diagnostic, limits::kMaxReplyTextBytes);
    entry.status = FindStatusCode(entry.diagnostic);
    AddRecipient(std::move(entry));
  }
  r_.recipients_total += bounce.total - bounce.recipients.size();
  if (!bounce.returned.empty()) {
    GRef<GMimeMessage> returned = ParseMessage(bounce.returned);
    ReadReturned(returned.get());
  }
  return true;
}

// RFC 3834 and the older signs of an automatic answer. Only asked when the
// message is no report and no bounce (bounces carry Auto-Submitted too).
void Parser::ReadAutoReply(GMimeMessage* message) {
  GMimeObject* object = GMIME_OBJECT(message);
  std::string_view sign;
  std::string_view auto_submitted = TrimSpace(Header(object, "Auto-Submitted"));
  std::string_view precedence = TrimSpace(Header(object, "Precedence"));
  const char* subject_text = g_mime_message_get_subject(message);
  std::string_view subject = TrimSpace(subject_text == nullptr ? "" : subject_text);
  static constexpr std::string_view kSubjects[] = {"out of office",
                                                   "out of the office",
                                                   "automatic reply",
                                                   "auto-reply",
                                                   "autoreply",
                                                   "auto reply",
                                                   "auto:",
                                                   "abwesenheitsnotiz",
                                                   "automatische antwort",
                                                   "abwesend",
                                                   "r\xC3\xA9ponse automatique",
                                                   "absence",
                                                   "vacation",
                                                   "away from the office"};
  if (!auto_submitted.empty() && !StartsWithIgnoringCase(auto_submitted, "no")) {
    sign = "Auto-Submitted";
  } else if (g_mime_object_get_header(object, "X-Autoreply") != nullptr) {
    sign = "X-Autoreply";
  } else if (g_mime_object_get_header(object, "X-Autorespond") != nullptr) {
    sign = "X-Autorespond";
  } else if (EqualsIgnoringCase(precedence, "auto_reply")) {
    sign = "Precedence";
  } else {
    for (std::string_view phrase : kSubjects) {
      if (StartsWithIgnoringCase(subject, phrase)) sign = "subject";
    }
  }
  if (sign.empty()) return;
  r_.kind = ReportKind::kAutoReply;
  r_.format = std::string(sign);
}

void Parser::Run(GMimeMessage* message) {
  GMimeObject* top = GMIME_OBJECT(message);
  for (const char* name : {"X-Original-To", "Delivered-To"}) {
    AddVerp(CleanAddress(Header(top, name)), MailIdSource::kVerpRecipient);
  }
  AddVerp(FirstAddress(message, GMIME_ADDRESS_TYPE_TO), MailIdSource::kVerpRecipient);

  GMimeObject* body = g_mime_message_get_mime_part(message);
  GMimeMultipart* report = FindReport(body, 0);
  bool have_status = false;
  if (report != nullptr) {
    GMimeContentType* type = g_mime_object_get_content_type(GMIME_OBJECT(report));
    const char* report_type_text = g_mime_content_type_get_parameter(type, "report-type");
    std::string report_type = Lowered(report_type_text == nullptr ? "" : report_type_text);
    int count = g_mime_multipart_get_count(report);
    for (int i = 0; i < count; ++i) {
      GMimeObject* part = g_mime_multipart_get_part(report, i);
      if (report_type == "delivery-status" && (IsType(part, "message", "delivery-status") ||
                                               IsType(part, "message", "global-delivery-status"))) {
        r_.kind = ReportKind::kDsn;
        r_.format = "rfc3464";
        have_status = true;
        ReadDeliveryStatus(PartBytes(part));
      } else if (report_type == "feedback-report" && IsType(part, "message", "feedback-report")) {
        r_.format = "arf";
        have_status = true;
        ReadFeedbackReport(PartBytes(part));
        r_.kind = r_.feedback_type == "abuse" ? ReportKind::kComplaint : ReportKind::kUnknown;
      } else if (report_type == "disposition-notification" &&
                 IsType(part, "message", "disposition-notification")) {
        r_.kind = ReportKind::kAutoReply;  // a read receipt (RFC 8098): automatic, ignored
        r_.format = "mdn";
        have_status = true;
      } else if (GMIME_IS_MESSAGE_PART(part) && !r_.has_returned_message) {
        ReadReturned(g_mime_message_part_get_message(GMIME_MESSAGE_PART(part)));
      } else if ((IsType(part, "text", "rfc822-headers") ||
                  IsType(part, "message", "global-headers")) &&
                 !r_.has_returned_message) {
        ReadReturnedHeaders(PartBytes(part));
      }
    }
    if (r_.kind == ReportKind::kComplaint || r_.format == "arf") {
      if (r_.original_rcpt_to.empty()) r_.original_rcpt_to = r_.returned_to;
    }
  }
  if (!have_status) {
    FindBodyParts(body, 0);
    if (ReadTextBounce(message)) {
      if (!r_.has_returned_message && attached_ != nullptr) {
        if (GMIME_IS_MESSAGE_PART(attached_)) {
          ReadReturned(g_mime_message_part_get_message(GMIME_MESSAGE_PART(attached_)));
        } else {
          ReadReturnedHeaders(PartBytes(attached_));
        }
      }
      if (r_.recipients_total == 0 && !r_.returned_to.empty()) {
        RecipientReport entry;  // no address in the text: the returned message's To
        entry.final_recipient = r_.returned_to;
        entry.action = "failed";
        AddRecipient(std::move(entry));
      }
    } else {
      ReadAutoReply(message);
    }
  }
  r_.truncated = r_.recipients_total > r_.recipients.size();
  // An auto-reply is ignored; a bounce of a bounce names no mail of ours
  // (the VERP address it came to is the loop, not the mail).
  if (r_.kind == ReportKind::kAutoReply || r_.returned_is_report) r_.mail_ids.clear();
  FinishMailIds();
}

}  // namespace

std::string_view ReportKindName(ReportKind kind) {
  switch (kind) {
    case ReportKind::kUnknown:
      return "unknown";
    case ReportKind::kDsn:
      return "dsn";
    case ReportKind::kComplaint:
      return "complaint";
    case ReportKind::kAutoReply:
      return "auto_reply";
  }
  return "unknown";
}

Result<InboundReport> ParseReport(std::string_view message, const ParseLimits& limits) {
  InitGMime();
  if (TrimSpace(message).empty()) return Status::InvalidArgument("empty message");
  InboundReport report;
  if (message.size() > limits.max_message_bytes) {
    message = message.substr(0, limits.max_message_bytes);
    report.message_cut = true;
  }
  if (CutAtBoundaryLines(&message, limits.max_boundary_lines)) report.message_cut = true;
  GRef<GMimeMessage> parsed = ParseMessage(message);
  if (parsed == nullptr) return Status::InvalidArgument("not a mail message");
  Parser(limits, &report).Run(parsed.get());
  return report;
}

}  // namespace campaignd::events
