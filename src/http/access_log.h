// The access log: one line per request (behaviour.md §2; design B5). Never
// the code segment of the path (the path is shown as /http/form/***/op)
// and no parameter value except bmMailingId.
// Callers: http/session.cc. Threads: FormatAccessLine is pure;
// LogAccess writes through spdlog (thread-safe).
#ifndef CAMPAIGND_HTTP_ACCESS_LOG_H_
#define CAMPAIGND_HTTP_ACCESS_LOG_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace campaignd::http {

struct AccessRecord {
  uint64_t request_id = 0;
  std::string peer;  // client IP after the trusted-proxy rules
  std::string method;
  std::string service;        // "form" | "mail"; empty when not an API path
  std::string operation;      // lower-cased; empty when not an API path
  std::string mailing_id;     // bmMailingId as sent, or empty
  std::string path;           // RawHandler requests: the server's pattern of the path
  unsigned status = 0;        // HTTP status
  std::string token;          // result token (see reply.h log_token)
  std::size_t bytes_in = 0;   // request body
  std::size_t bytes_out = 0;  // response body
  std::chrono::microseconds elapsed{0};
};

// "req=12 peer=10.0.0.1 method=GET path=/http/form/***/nop status=200
// token=ok mailing=- in=0 out=2 us=153" (path: `path` when there is no
// service, e.g. /admin/v1/clients/{client}); control characters and blanks in
// the client-chosen text (method, operation, mailing) become '_', and each
// is cut to a bounded length.
std::string FormatAccessLine(const AccessRecord& record);

// `text` as one bounded log word: blanks, control characters, non-ASCII
// bytes, '"' and '\' become '_', at most 64 bytes (then "..."), "-" when
// empty. (Longer untrusted text with spaces: core/log_text.h LogText.)
std::string LogWord(std::string_view text);

// Writes FormatAccessLine(record) at info level.
void LogAccess(const AccessRecord& record);

}  // namespace campaignd::http

#endif  // CAMPAIGND_HTTP_ACCESS_LOG_H_
