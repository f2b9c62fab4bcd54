// Fuzz target: DecodeParams (src/http/request.h) on a query string and an
// application/x-www-form-urlencoded or multipart/form-data body: percent
// decoding, charset conversion by bmEncoding, merging and the parameter limit.
// Input: "QUERY\nCONTENT_TYPE\nBODY" (the body may hold more LFs).
// Invariants: kOk results stay within the limit and every decoded name and
// value is valid UTF-8; other results carry no parameters.
#include "core/limits.h"
#include "fuzz/fuzz_input.h"
#include "http/charset.h"
#include "http/request.h"

using namespace campaignd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  auto in = fuzz::SplitInput(data, size, '\n', 3);
  http::DecodedParams decoded = http::DecodeParams(in[0], in[1], in[2], limits::kMaxParams);
  if (decoded.status != http::DecodeStatus::kOk) {
    FUZZ_CHECK(decoded.params.size() == 0 && decoded.params.files().empty());
    return 0;
  }
  FUZZ_CHECK(decoded.params.size() + decoded.params.files().size() <= limits::kMaxParams);
  for (const auto& [name, value] : decoded.params.all()) {
    FUZZ_CHECK(http::IsValidUtf8(name));
    FUZZ_CHECK(http::IsValidUtf8(value));
  }
  return 0;
}
