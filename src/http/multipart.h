// multipart/form-data bodies (RFC 7578 / RFC 2046 §5.1): every part with a
// `name` becomes a RawParam (its text exactly as sent, NOT percent-decoded;
// charset from the part's Content-Type when it names one), and every part
// with a `filename` a RawFile. Callers: http/request.cc.
// Input: untrusted, at most limits::kMaxBodyBytes. Threads: pure function.
// Errors: kMalformed for a broken body (the caller discards the request's
// parameters and answers syntax_error), kTooMany past the parameter limit.
#ifndef CAMPAIGND_HTTP_MULTIPART_H_
#define CAMPAIGND_HTTP_MULTIPART_H_

#include <cstddef>
#include <string_view>

#include "http/raw_params.h"

namespace campaignd::http {

enum class MultipartResult { kOk, kMalformed, kTooMany };

// Parses `body` using the boundary of `content_type` (quoted or not) and
// appends its parts to `out`. A file part with an empty file name and no
// data (a browser's empty file input) is skipped. On an error `out` may
// hold some parts; the caller must drop it.
MultipartResult ParseMultipart(std::string_view content_type, std::string_view body,
                               std::size_t max_count, RawParams* out);

}  // namespace campaignd::http

#endif  // CAMPAIGND_HTTP_MULTIPART_H_
