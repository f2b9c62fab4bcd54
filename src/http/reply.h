// Answer -> HTTP response: the only place that picks HTTP statuses and turns
// a failed Status into an answer (design B3.4, behaviour.md §2 "Response").
//   success / business answer -> 200 text/plain, body Reply::Body(), no newline
//   a Reply with a page        -> 200 text/html, the page (onlineversion)
//   Unavailable               -> 503 + Retry-After, body system_error
//   any other failed Status   -> 200 system_error + one error log line
//   bmSuccessUrl / bmFailureUrl / bmUrl -> 302 Found (never for a 503)
//   a tracked link -> 302 Found; the open pixel -> 200 image/gif (43 bytes,
//   Cache-Control: no-store); an unknown or tampered token -> 404
// Callers: http/session.cc. Threads: pure apart from logging (spdlog).
#ifndef CAMPAIGND_HTTP_REPLY_H_
#define CAMPAIGND_HTTP_REPLY_H_

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/params.h"
#include "http/raw_handler.h"
#include "http/server_options.h"
#include "ops/operation.h"

namespace campaignd::http {

using Response = boost::beast::http::response<boost::beast::http::string_body>;

struct ReplyContext {
  unsigned version = 11;  // of the request: 10 or 11
  bool keep_alive = true;
  uint64_t request_id = 0;
  std::chrono::seconds retry_after{0};
};

// A response and the token the access log shows for it (never a detail
// that could be a credential: a mail ID is one).
struct HttpReply {
  Response response;
  std::string log_token;
};

// The response for the handler's answer to an API request with `params`.
HttpReply MakeApiReply(const ops::Answer& answer, const Params& params, const ReplyContext& ctx);

// A text/plain response with `body`; with !ctx.keep_alive it carries
// "Connection: close".
Response MakeTextResponse(boost::beast::http::status status, std::string body,
                          const ReplyContext& ctx);

// 503 + Retry-After: ctx.retry_after, body system_error.
Response MakeUnavailableResponse(const ReplyContext& ctx);

// The answer of the TrackingHandler (server_options.h); a HEAD answer has
// the headers of the GET answer and no body. A location that is not
// printable ASCII is answered 404 (no header injection, whoever built it).
Response MakeTrackingResponse(const TrackingAnswer& answer, bool head, const ReplyContext& ctx);

// The open pixel: a 1x1 transparent GIF89a.
inline constexpr std::string_view kTransparentGif{
    "GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff\x21\xf9\x04\x01\x00"
    "\x00\x00\x00\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b",
    43};

// A RawHandler's answer with its whole body (a 503 gets Retry-After).
Response MakeRawResponse(const RawResponse& raw, const ReplyContext& ctx);
// The header of a RawHandler's streamed answer (chunked).
boost::beast::http::response<boost::beast::http::empty_body> MakeRawStreamHeader(
    const RawResponse& raw, const ReplyContext& ctx);

}  // namespace campaignd::http

#endif  // CAMPAIGND_HTTP_REPLY_H_
