// TrackingToken: the last path segment of a tracked link ({public_url}/r/TOKEN)
// and of the open pixel ({public_url}/o/TOKEN.gif), events.md §3. It names
// the mail (client, mail sequence, mailing) and what was fetched (the open
// pixel, or link N of the mailing's HTML), optionally carries the rendered
// URL of a link whose URL has field functions in it, and ends in a 96-bit
// HMAC-SHA-256 under a key derived from the client's mail ID secret, so a
// tampered, truncated or forged token is refused without any lookup.
// See docs/decisions/0021-tracking.md.
//   text form: base64url (RFC 4648 §5, no padding) of
//   version(1) | varint client | varint sequence | varint mailing |
//   varint target (0: open, N+1: link N) | url bytes | mac(12)
// Input: Parse() takes untrusted text (any length; the fuzz target
// fuzz/tracking_token_fuzz.cc runs it). Threads: value types, pure functions.
#ifndef CAMPAIGND_CORE_TRACKING_TOKEN_H_
#define CAMPAIGND_CORE_TRACKING_TOKEN_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace campaignd {

// The key tokens of one client are signed with: HMAC-SHA-256 of a fixed
// label under the client's mail ID secret (so no second secret to keep,
// copy or rotate; a new mail ID secret voids old links as it voids old
// mail IDs). REQUIRES: secret non-empty.
using TrackingKey = std::array<uint8_t, 32>;
TrackingKey DeriveTrackingKey(std::string_view mail_id_secret);

struct TrackingToken {
  static constexpr int kOpen = -1;                // link_index of the open pixel
  static constexpr std::size_t kMacBytes = 12;    // 96 bits
  static constexpr std::size_t kMaxChars = 2048;  // longer text is refused unread

  int64_t client_id = 0;
  int64_t mail_seq = 0;
  int64_t mailing_id = 0;
  int link_index = kOpen;  // kOpen, or the link's index in the mailing's HTML
  std::string url;         // "" unless the link's URL is personalised

  bool operator==(const TrackingToken&) const = default;
};

// The text form of `token` signed with `key`.
// REQUIRES: ids > 0, mailing_id >= 0, link_index >= kOpen.
std::string EncodeTrackingToken(const TrackingToken& token, const TrackingKey& key);

// Syntax only: InvalidArgument unless `text` decodes to the form above.
// The client is known after this; call VerifyTrackingToken with its key
// before trusting anything else.
struct ParsedTrackingToken {
  TrackingToken token;
  std::string signed_bytes;  // what the MAC covers
  std::array<uint8_t, TrackingToken::kMacBytes> mac{};
};
Result<ParsedTrackingToken> ParseTrackingToken(std::string_view text);

// True when the MAC matches under `key` (constant-time comparison).
bool VerifyTrackingToken(const ParsedTrackingToken& parsed, const TrackingKey& key);

// Where the tokens go, below the public URL: {public_url}/r/TOKEN (a
// tracked link) and {public_url}/o/TOKEN.gif (the open pixel).
inline constexpr std::string_view kRedirectPath = "/r/";
inline constexpr std::string_view kPixelPath = "/o/";
inline constexpr std::string_view kPixelSuffix = ".gif";

}  // namespace campaignd

#endif  // CAMPAIGND_CORE_TRACKING_TOKEN_H_
