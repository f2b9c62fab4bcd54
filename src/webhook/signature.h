// The X-Campaignd-Signature of a webhook request (events.md §4):
// "t=<unix seconds>,v1=<hex HMAC-SHA256 over "<t>.<body>">" keyed with the
// subscription's SigningKey (subscription.h). Threads: pure functions.
#ifndef CAMPAIGND_WEBHOOK_SIGNATURE_H_
#define CAMPAIGND_WEBHOOK_SIGNATURE_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace campaignd::webhook {

inline constexpr std::string_view kSignatureHeader = "X-Campaignd-Signature";

// The header's value for `body` sent at `unix_seconds`, keyed with `key`.
std::string Signature(std::string_view key, int64_t unix_seconds, std::string_view body);

}  // namespace campaignd::webhook

#endif  // CAMPAIGND_WEBHOOK_SIGNATURE_H_
