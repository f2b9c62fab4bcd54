// Fuzz target: the inbound report parser (src/events/report.h ParseReport,
// over GMime) and the VERP parser (src/core/verp.h ParseVerpAddress).
// Input: one inbound message; its first line is also tried as a VERP address.
// Invariants: the report stays within its limits (recipients kept, counted,
// truncated flag, mail IDs), no string of it holds a control character, an
// auto-reply or a bounce of a bounce offers no mail ID; a VERP address that
// parses is rebuilt by BuildReturnPath into an address that parses the same.
#include <string>

#include "core/verp.h"
#include "events/report.h"
#include "fuzz/fuzz_input.h"

using namespace campaignd;

namespace {

bool Clean(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return false;
  }
  return true;
}

void CheckVerp(std::string_view line) {
  Result<VerpAddress> verp = ParseVerpAddress(line);
  if (!verp.ok()) return;
  Result<std::string> rebuilt = BuildReturnPath(verp->local, verp->mail_id, verp->domain);
  FUZZ_CHECK(rebuilt.ok());
  Result<VerpAddress> again = ParseVerpAddress(*rebuilt);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->local == verp->local && again->domain == verp->domain &&
             again->mail_id == verp->mail_id);
  FUZZ_CHECK(fuzz::HasNoLineBreak(*rebuilt));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::vector<std::string_view> pieces = fuzz::SplitInput(data, size, '\n', 2);
  CheckVerp(pieces[0]);
  std::string_view message(reinterpret_cast<const char*>(data), size);
  events::ParseLimits limits;
  limits.max_recipients = 5;  // small, so truncation is reached often
  Result<events::InboundReport> report = events::ParseReport(message, limits);
  if (!report.ok()) {
    FUZZ_CHECK(report.status().IsInvalidArgument());
    return 0;
  }
  const events::InboundReport& r = *report;
  FUZZ_CHECK(r.recipients.size() <= limits.max_recipients);
  FUZZ_CHECK(r.recipients_total >= r.recipients.size());
  FUZZ_CHECK(r.truncated == (r.recipients_total > r.recipients.size()));
  FUZZ_CHECK(r.mail_ids.size() <= limits::kMaxReportMailIds);
  if (r.kind == events::ReportKind::kAutoReply || r.returned_is_report) {
    FUZZ_CHECK(r.mail_ids.empty());
  }
  for (const std::string* s : {&r.format, &r.reporting_mta, &r.feedback_type, &r.user_agent,
                               &r.original_rcpt_to, &r.original_mail_from, &r.returned_to,
                               &r.returned_return_path, &r.returned_message_id}) {
    FUZZ_CHECK(Clean(*s));
  }
  for (const events::RecipientReport& e : r.recipients) {
    for (const std::string* s : {&e.final_recipient, &e.original_recipient, &e.action, &e.status,
                                 &e.diagnostic, &e.remote_mta}) {
      FUZZ_CHECK(Clean(*s));
    }
    FUZZ_CHECK(e.diagnostic.size() <= limits::kMaxReplyTextBytes);
    FUZZ_CHECK(e.final_recipient.size() <= limits::kMaxAddressBytes);
  }
  return 0;
}
