// Fuzz target: MIME building (src/render/message.h RenderMessage) with
// untrusted field values, file names and content types of attachments, and
// hostile templates.
// Input: pieces split at 0x1F (ASCII unit separator):
//   FROM \x1f REPLY_TO \x1f SUBJECT \x1f HTML \x1f TO \x1f FIRSTNAME \x1f
//   CITY \x1f FILE_NAME \x1f FILE_TYPE \x1f TEXT
// (no attachment when FILE_NAME and FILE_TYPE are both empty).
// Invariants of a rendered message: only CRLF line ends, no line over 998
// octets, no NUL; the header block holds exactly one From, To, Subject,
// Date, Message-ID, MIME-Version, Content-Type, at most one Reply-To, and no
// other field than those the renderer writes; the envelope has no line
// break and the envelope recipient is the parsed To.
#include <map>
#include <set>
#include <string>

#include "core/address.h"
#include "core/limits.h"
#include "fuzz/fuzz_input.h"
#include "render/message.h"

using namespace campaignd;

namespace {

const std::set<std::string> kKnownFields = {
    "from", "reply-to", "to", "subject", "date", "message-id", "mime-version",
    "list-unsubscribe", "list-unsubscribe-post", "feedback-id", "x-campaignd-mail-id",
    "content-type", "content-transfer-encoding"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

void CheckMessage(const render::RenderedMessage& m, const Address& to) {
  const std::string& b = m.bytes;
  FUZZ_CHECK(b.find('\0') == std::string::npos);
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (b[i] == '\r') FUZZ_CHECK(i + 1 < b.size() && b[i + 1] == '\n');
    if (b[i] == '\n') {
      FUZZ_CHECK(i > 0 && b[i - 1] == '\r');
      FUZZ_CHECK(i - 1 - line_start <= limits::kMaxLineBytes);
      line_start = i + 1;
    }
  }
  std::size_t end = b.find("\r\n\r\n");
  FUZZ_CHECK(end != std::string::npos);
  std::map<std::string, int> count;
  for (std::size_t at = 0; at < end + 2;) {
    std::size_t eol = b.find("\r\n", at);
    std::string_view line(b.data() + at, eol - at);
    at = eol + 2;
    if (line.empty() || line[0] == ' ' || line[0] == '\t') continue;  // folded
    std::size_t colon = line.find(':');
    FUZZ_CHECK(colon != std::string_view::npos);
    std::string name = Lower(line.substr(0, colon));
    FUZZ_CHECK(kKnownFields.count(name) == 1);
    ++count[name];
  }
  for (const char* once : {"from", "to", "subject", "date", "message-id", "mime-version",
                           "content-type"}) {
    FUZZ_CHECK(count[once] == 1);
  }
  FUZZ_CHECK(count["reply-to"] <= 1);
  FUZZ_CHECK(fuzz::HasNoLineBreak(m.envelope_from));
  FUZZ_CHECK(m.envelope_to == to.ToAscii());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  auto in = fuzz::SplitInput(data, size, '\x1f', 10);
  Result<Address> to = Address::Parse(in[4]);
  if (!to.ok()) to = Address::Parse("john.smith@example.com");
  render::MessageInput input;
  input.from = std::string(in[0]);
  input.reply_to = std::string(in[1]);
  input.subject = std::string(in[2]);
  input.html = std::string(in[3]);
  input.to = to->str();
  input.fields = {{"firstname", std::string(in[5])},
                  {"city", std::string(in[6])},
                  {"bmmailid", "1-1-0123456789ABCDEF"}};
  input.field_types = {{"firstname", "text"}, {"city", "text"}};
  input.text = std::string(in[9]);
  input.mail_id = "1-1-0123456789ABCDEF";
  input.list_unsubscribe_url = "https://shop.example.com/u?m=1-1-0123456789ABCDEF";
  input.list_unsubscribe_mailto = "unsubscribe@shop.example.com";
  input.feedback_id = "1:100:5000:campaignd";
  input.date = TimePoint{std::chrono::seconds(1714979289)};
  input.boundary_seed = "fuzz";
  if (!in[7].empty() || !in[8].empty()) {
    input.attachments.push_back(
        render::Attachment{std::string(in[7]), std::string(in[8]), std::string(in[6])});
  }
  Result<render::RenderedMessage> message = render::RenderMessage(input);
  if (message.ok()) CheckMessage(*message, *to);
  return 0;
}
