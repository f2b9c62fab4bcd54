// Percent-decoding and application/x-www-form-urlencoded parsing for query
// strings and request bodies (behaviour.md §2 "Decoding").
// Callers: http/request.cc. Input: untrusted, size-limited by the session.
// Threads: pure functions. Errors: none; an invalid % escape stays literal.
#ifndef CAMPAIGND_HTTP_URL_DECODE_H_
#define CAMPAIGND_HTTP_URL_DECODE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "http/raw_params.h"

namespace campaignd::http {

// `in` with every %XX (two hex digits) replaced by its byte; a '%' not
// followed by two hex digits stays as it is. With `plus_as_space`, '+'
// becomes ' ' (form encoding); otherwise it stays '+'.
std::string PercentDecode(std::string_view in, bool plus_as_space);

// True for the parameters whose literal '+' stays '+' (clients send
// addresses like a+b@example.com unescaped): bmRecipientId, bmPattern,
// bmNewRecipientId.
bool KeepsLiteralPlus(std::string_view decoded_name);

// Appends the name=value pairs of `encoded` ("a=1&b=2"; a name without '='
// has an empty value; empty pieces and empty names are skipped) to `out`.
// Returns false, leaving `out` with at most `max_count` entries, as soon as
// out->count() would exceed `max_count`.
bool ParseUrlEncoded(std::string_view encoded, std::size_t max_count, RawParams* out);

}  // namespace campaignd::http

#endif  // CAMPAIGND_HTTP_URL_DECODE_H_
