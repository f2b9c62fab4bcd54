// Fuzz target: mail-ID parsing (src/core/mail_id.h): MailId::Parse and
// Verify on untrusted text.
// Input: the text of a bmMailId.
// Invariants: only the canonical text (in any case) parses, and it
// round-trips through ToString(); an arbitrary text never verifies under a secret
// unless it is the ID Make() gives for its client and sequence.
#include "core/mail_id.h"

#include <string>

#include "fuzz/fuzz_input.h"

using namespace campaignd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<MailId> id = MailId::Parse(text);
  if (!id.ok()) return 0;
  FUZZ_CHECK(id->client_id() > 0 && id->sequence() > 0);
  // Only the canonical spelling (any case) parses: one ID, one text.
  std::string canonical = id->ToString();
  std::string upper(text);
  for (char& c : upper) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  FUZZ_CHECK(canonical == upper);
  Result<MailId> again = MailId::Parse(canonical);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *id);
  constexpr std::string_view kSecret = "fuzz-secret-of-client";
  bool verifies = id->Verify(kSecret);
  FUZZ_CHECK(verifies == (MailId::Make(id->client_id(), id->sequence(), kSecret) == *id));
  return 0;
}
