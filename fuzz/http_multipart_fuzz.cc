// Fuzz target: ParseMultipart (src/http/multipart.h), the multipart/form-data
// parser, on its own: boundary extraction from the Content-Type, part
// headers, Content-Disposition parameters, file parts.
// Input: "CONTENT_TYPE\nBODY" (the body may hold more LFs).
// Invariants: never more than the limit; a kOk result's values lie inside
// the body (they are slices of it).
#include "core/limits.h"
#include "fuzz/fuzz_input.h"
#include "http/multipart.h"
#include "http/raw_params.h"

using namespace campaignd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  auto in = fuzz::SplitInput(data, size, '\n', 2);
  http::RawParams raw;
  http::MultipartResult result = http::ParseMultipart(in[0], in[1], limits::kMaxParams, &raw);
  if (result != http::MultipartResult::kOk) return 0;
  FUZZ_CHECK(raw.count() <= limits::kMaxParams);
  for (const http::RawParam& p : raw.params) FUZZ_CHECK(p.value.size() <= in[1].size());
  for (const http::RawFile& f : raw.files) FUZZ_CHECK(f.data.size() <= in[1].size());
  return 0;
}
