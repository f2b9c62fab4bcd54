// RawHandler: the second kind of request work a Server can carry, for an
// HTTP API that takes its requests undecoded and may stream large bodies
// both ways (the admin API: a million-row CSV upload, a chunked export).
// The connection rules are the public API's (session.cc: header, body,
// keep-alive and write timeouts, URL and header limits, one accepted
// Transfer-Encoding); what differs is the body: `plan` says, per request,
// how much of it may be read whole, or that the handler pulls it in chunks.
// Callers: admin/api/listener.cc builds one; http/session.cc runs it.
// Threads: `plan` and `refuse` run on an I/O thread and must not block;
// `handle` and a response's `stream` run on the blocking pool and may; a
// body reader or chunk writer is used only on the pool thread it was given
// to, and only during that handle/stream call.
// Errors: a reader/writer fails (IOError) when the client is gone, too slow
// (the body_read timeout per chunk) or sends a malformed body.
#ifndef CAMPAIGND_HTTP_RAW_HANDLER_H_
#define CAMPAIGND_HTTP_RAW_HANDLER_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace campaignd::http {

// The next chunk of a streamed request body (at most kRawChunkBytes); an
// empty string ends it. The first call sends "100 Continue" when the client
// waits for one.
using ChunkReader = std::function<Result<std::string>()>;
// Sends one chunk of a streamed response body.
using ChunkWriter = std::function<Status(std::string_view chunk)>;

// Bytes asked for by one pull of a streamed body; a client must send this
// much (or the rest of its body) within the body_read timeout.
inline constexpr std::size_t kRawChunkBytes = 64 * 1024;

// How to read the body of a request, decided from its header alone.
struct RequestPlan {
  // false: the server reads the whole body (all of it within the body_read
  // timeout, like the public API; a chunked body growing past
  // max_body_bytes -> refuse(413)), then calls the handler.
  // true: the handler is called at once with a ChunkReader and keeps a
  // chunked body within max_body_bytes itself.
  bool stream_body = false;
  // Either way a Content-Length above it is refuse(413) before any reading.
  std::size_t max_body_bytes = 0;
  // Shown as the access log's path: a pattern chosen by the server, never
  // the target as sent (it may carry addresses and other values).
  std::string log_path;
};

struct RawRequest {
  std::string method;
  std::string target;  // as sent: path and query
  std::string authorization;
  std::string content_type;
  std::string peer_ip;    // the connection's peer (no proxy headers)
  std::string body;       // the whole body when the plan did not stream it
  ChunkReader read_body;  // set when the plan streams the body
};

struct RawResponse {
  int status = 200;
  std::string content_type;  // empty: no Content-Type
  std::string body;
  // Set: the body is sent chunked, by one call with a writer (body unused).
  // A failed Status breaks the answer off (no last chunk).
  std::function<Status(const ChunkWriter&)> stream;
};

struct RawHandler {
  std::function<RequestPlan(std::string_view method, std::string_view target,
                            std::string_view content_type)>
      plan;
  std::function<RawResponse(const RawRequest&)> handle;
  // The answer to a request refused before (or instead of) `handle`: 400
  // (malformed HTTP, bad framing), 413, 414, 431, 503 (busy), 500 (the
  // handler threw); `problem` says what was wrong in a few words.
  std::function<RawResponse(int status, std::string_view problem)> refuse;
};

}  // namespace campaignd::http

#endif  // CAMPAIGND_HTTP_RAW_HANDLER_H_
