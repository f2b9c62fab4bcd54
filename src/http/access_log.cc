#include "http/access_log.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <string_view>

namespace campaignd::http {
namespace {

// Client-chosen words (method, operation, bmMailingId) are shown up to this
// many bytes; a log line stays one bounded line.
constexpr std::size_t kMaxLoggedWordBytes = 64;

}  // namespace

std::string LogWord(std::string_view text) {
  if (text.empty()) return "-";
  std::string out;
  for (char c : text.substr(0, kMaxLoggedWordBytes)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u <= 0x20 || u >= 0x7F || c == '"' || c == '\\') ? '_' : c;
  }
  if (text.size() > kMaxLoggedWordBytes) out += "...";
  return out;
}

std::string FormatAccessLine(const AccessRecord& r) {
  const std::string path = r.service.empty()
                               ? LogWord(r.path)
                               : fmt::format("/http/{}/***/{}", r.service, LogWord(r.operation));
  return fmt::format(
      "req={} peer={} method={} path={} status={} token={} mailing={} in={} out={} us={}",
      r.request_id, LogWord(r.peer), LogWord(r.method), path, r.status,
      r.token.empty() ? "-" : r.token, LogWord(r.mailing_id), r.bytes_in, r.bytes_out,
      r.elapsed.count());
}

void LogAccess(const AccessRecord& record) { spdlog::info("{}", FormatAccessLine(record)); }

}  // namespace campaignd::http
