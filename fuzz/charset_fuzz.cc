// Fuzz target: charset decoding (src/http/charset.h): ParseCharsetName,
// IsValidUtf8, ToUtf8 for every supported charset, ToUtf8Guessing.
// Input: any bytes (also used as a charset label).
// Invariants: every conversion yields valid UTF-8; valid UTF-8 converts to
// itself; the guessing rule equals ISO-8859-1 for invalid UTF-8.
#include "fuzz/fuzz_input.h"
#include "http/charset.h"

using namespace campaignd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)http::ParseCharsetName(bytes);
  bool valid = http::IsValidUtf8(bytes);
  for (http::Charset c :
       {http::Charset::kUtf8, http::Charset::kIso88591, http::Charset::kWindows1252}) {
    std::string out = http::ToUtf8(bytes, c);
    FUZZ_CHECK(http::IsValidUtf8(out));
    if (c == http::Charset::kUtf8 && valid) FUZZ_CHECK(out == bytes);
  }
  std::string guessed = http::ToUtf8Guessing(bytes);
  FUZZ_CHECK(http::IsValidUtf8(guessed));
  FUZZ_CHECK(guessed == (valid ? std::string(bytes)
                               : http::ToUtf8(bytes, http::Charset::kIso88591)));
  return 0;
}
