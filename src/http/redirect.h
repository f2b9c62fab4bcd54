// The ONE function that builds a redirect Location (behaviour.md §2
// "Redirects", design B5.4): no open redirect, ever.
// Callers: http/reply.cc. Input: the URL comes from request parameters
// (untrusted); the host allowlist from the caller's code or client.
// Threads: pure function.
// Errors: InvalidArgument naming why the URL was refused (log it; the
// token is then answered as the body).
#ifndef CAMPAIGND_HTTP_REDIRECT_H_
#define CAMPAIGND_HTTP_REDIRECT_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace campaignd::http {

// `url` with "bmResult=<result_body percent-encoded>" appended to its query
// ('?' or '&'; before any #fragment). Only an absolute http/https URL
// (RFC 3986, so no spaces, controls, backslashes or raw non-ASCII) without
// userinfo, with a registered-name or IPv4 host equal (ASCII
// case-insensitive, no percent-escapes) to an entry of `allowed_hosts`, at
// most limits::kMaxUrlBytes long, is accepted.
Result<std::string> BuildRedirectLocation(std::string_view url, std::string_view result_body,
                                          const std::vector<std::string>& allowed_hosts);

}  // namespace campaignd::http

#endif  // CAMPAIGND_HTTP_REDIRECT_H_
