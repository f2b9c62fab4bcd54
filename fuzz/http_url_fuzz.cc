// Fuzz target: the request line side of src/http: SplitTarget, ParseRoute,
// RequestLineTooLong, PercentDecode, ParseUrlEncoded, and the one function
// that builds a redirect Location (BuildRedirectLocation).
// Input: "TARGET\nREDIRECT_URL\nALLOWED_HOST" (pieces split at the first
// two LFs; the last one may hold more).
// Invariants: a route's code and operation are never empty for kApi; a
// redirect that is built never carries CR, LF, NUL, a backslash, userinfo
// or a host outside the allowlist, and starts with http:// or https://.
#include <string>

#include "core/limits.h"
#include "fuzz/fuzz_input.h"
#include "http/raw_params.h"
#include "http/redirect.h"
#include "http/request.h"
#include "http/url_decode.h"

using namespace campaignd;

namespace {

// The host of an accepted absolute URL "scheme://host[:port]/...".
std::string_view HostOf(std::string_view url) {
  std::size_t start = url.find("://") + 3;
  std::size_t end = url.find_first_of(":/?#", start);
  return url.substr(start, end == std::string_view::npos ? url.npos : end - start);
}

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? a[i] - 'A' + 'a' : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? b[i] - 'A' + 'a' : b[i];
    if (x != y) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  auto in = fuzz::SplitInput(data, size, '\n', 3);
  std::string_view target = in[0];

  http::Target split = http::SplitTarget(target);
  http::Route route = http::ParseRoute(split.path);
  if (route.kind == http::Route::Kind::kApi) {
    FUZZ_CHECK(!route.code.empty() && !route.operation.empty());
  }
  (void)http::RequestLineTooLong(target, limits::kMaxUrlBytes);
  for (bool plus : {false, true}) {
    std::string decoded = http::PercentDecode(split.query, plus);
    FUZZ_CHECK(decoded.size() <= split.query.size());
  }
  http::RawParams raw;
  (void)http::ParseUrlEncoded(split.query, limits::kMaxParams, &raw);
  FUZZ_CHECK(raw.count() <= limits::kMaxParams);

  std::vector<std::string> allowed{std::string(in[2])};
  Result<std::string> location = http::BuildRedirectLocation(in[1], "enqueued: 1-1-X", allowed);
  if (location.ok()) {
    const std::string& url = *location;
    FUZZ_CHECK(fuzz::HasNoLineBreak(url));
    FUZZ_CHECK(url.find('\\') == std::string::npos);
    FUZZ_CHECK(EqualsIgnoringAsciiCase(url.substr(0, 7), "http://") ||
               EqualsIgnoringAsciiCase(url.substr(0, 8), "https://"));
    std::string_view host = HostOf(url);
    FUZZ_CHECK(host.find('@') == std::string_view::npos);
    FUZZ_CHECK(EqualsIgnoringAsciiCase(host, in[2]));
  }
  return 0;
}
