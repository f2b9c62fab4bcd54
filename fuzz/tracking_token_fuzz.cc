// Fuzz target: the tracking token (src/core/tracking_token.h) and the HTML
// link scanner behind it (src/render/tracking.h).
// Input: the last path segment of /r/TOKEN or /o/TOKEN.gif; the same bytes
// as an HTML template.
// Invariants: a token that parses re-encodes to exactly the same text
// (one token, one spelling) under the key whose MAC it carries, and it
// verifies under that key and no other; a foreign text never verifies
// unless it is that encoding. Every tracked link found lies inside the
// HTML, its value is the span it names, and a rewritten template holds
// exactly one redirect URL per tracked link.
#include <string>

#include "core/tracking_token.h"
#include "fuzz/fuzz_input.h"
#include "render/tracking.h"

using namespace campaignd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const TrackingKey kKey = DeriveTrackingKey("fuzz-secret-of-client");
  static const TrackingKey kOther = DeriveTrackingKey("another-secret");
  Result<ParsedTrackingToken> parsed = ParseTrackingToken(text);
  if (parsed.ok()) {
    const TrackingToken& t = parsed->token;
    FUZZ_CHECK(t.client_id > 0 && t.mail_seq > 0 && t.mailing_id >= 0);
    FUZZ_CHECK(t.link_index >= TrackingToken::kOpen);
    FUZZ_CHECK(t.link_index != TrackingToken::kOpen || t.url.empty());
    const std::string encoded = EncodeTrackingToken(t, kKey);
    const bool verifies = VerifyTrackingToken(*parsed, kKey);
    FUZZ_CHECK(verifies == (encoded == text));
    FUZZ_CHECK(!(verifies && VerifyTrackingToken(*parsed, kOther)));
    Result<ParsedTrackingToken> again = ParseTrackingToken(encoded);
    FUZZ_CHECK(again.ok() && again->token == t && VerifyTrackingToken(*again, kKey));
  }
  if (size > 64 * 1024) return 0;
  const std::vector<render::TrackedLink> links = render::FindTrackedLinks(text);
  std::size_t previous_end = 0;
  for (const render::TrackedLink& link : links) {
    FUZZ_CHECK(link.begin >= previous_end && link.begin <= link.end && link.end <= size);
    FUZZ_CHECK(text.substr(link.begin, link.end - link.begin) == link.value);
    previous_end = link.end;
  }
  const render::TrackingInput input{true, false, "https://t.example", kKey, 1, 2, 3};
  const std::string rewritten =
      render::RewriteTrackedLinks(text, input, [](std::string_view) { return std::nullopt; });
  std::size_t redirects = 0, personalised = 0;
  for (std::size_t at = rewritten.find("https://t.example/r/"); at != std::string::npos;
       at = rewritten.find("https://t.example/r/", at + 1)) {
    ++redirects;
  }
  for (const render::TrackedLink& link : links) personalised += link.personalised ? 1 : 0;
  // The input itself may already contain redirect URLs; at least one per
  // rewritten link is there.
  FUZZ_CHECK(redirects >= links.size() - personalised);
  return 0;
}
