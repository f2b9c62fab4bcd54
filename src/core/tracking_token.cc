#include "core/tracking_token.h"

#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include <cstring>

namespace campaignd {
namespace {

constexpr uint8_t kVersion = 1;
constexpr std::string_view kKeyLabel = "campaignd-tracking-token-v1";
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::array<uint8_t, 32> Hmac(const void* key, std::size_t key_size, std::string_view data) {
  std::array<uint8_t, 32> out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key, static_cast<int>(key_size),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  return out;
}

void PutVarint(uint64_t v, std::string& out) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Canonical LEB128 only (no trailing 0x80 groups), at most 63 bits: one
// number has one spelling.
bool GetVarint(std::string_view& in, int64_t* out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 63; shift += 7) {
    if (in.empty()) return false;
    const auto byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    if (shift == 56 && byte > 0x7f) return false;
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      if (byte == 0 && shift != 0) return false;
      *out = static_cast<int64_t>(v);
      return true;
    }
  }
  return false;
}

std::string Base64Url(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : bytes) {
    acc = (acc << 8) | static_cast<uint8_t>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
  return out;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// Strict: the alphabet above, no padding, unused trailing bits zero.
bool FromBase64Url(std::string_view text, std::string& out) {
  if (text.size() % 4 == 1) return false;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = Base64Value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return (acc & ((1u << bits) - 1)) == 0;
}

}  // namespace

TrackingKey DeriveTrackingKey(std::string_view mail_id_secret) {
  return Hmac(mail_id_secret.data(), mail_id_secret.size(), kKeyLabel);
}

std::string EncodeTrackingToken(const TrackingToken& token, const TrackingKey& key) {
  std::string bytes(1, static_cast<char>(kVersion));
  PutVarint(static_cast<uint64_t>(token.client_id), bytes);
  PutVarint(static_cast<uint64_t>(token.mail_seq), bytes);
  PutVarint(static_cast<uint64_t>(token.mailing_id), bytes);
  PutVarint(static_cast<uint64_t>(token.link_index + 1), bytes);
  bytes += token.url;
  const auto mac = Hmac(key.data(), key.size(), bytes);
  bytes.append(reinterpret_cast<const char*>(mac.data()), TrackingToken::kMacBytes);
  return Base64Url(bytes);
}

Result<ParsedTrackingToken> ParseTrackingToken(std::string_view text) {
  const Status bad = Status::InvalidArgument("not a tracking token");
  if (text.size() > TrackingToken::kMaxChars) return bad;
  std::string bytes;
  if (!FromBase64Url(text, bytes)) return bad;
  if (bytes.size() < 1 + 4 + TrackingToken::kMacBytes || bytes[0] != kVersion) return bad;
  ParsedTrackingToken parsed;
  const std::size_t signed_size = bytes.size() - TrackingToken::kMacBytes;
  std::memcpy(parsed.mac.data(), bytes.data() + signed_size, TrackingToken::kMacBytes);
  bytes.resize(signed_size);
  std::string_view in(bytes);
  in.remove_prefix(1);
  TrackingToken& t = parsed.token;
  int64_t target = 0;
  if (!GetVarint(in, &t.client_id) || !GetVarint(in, &t.mail_seq) ||
      !GetVarint(in, &t.mailing_id) || !GetVarint(in, &target)) {
    return bad;
  }
  if (t.client_id <= 0 || t.mail_seq <= 0 || target > INT32_MAX) return bad;
  t.link_index = static_cast<int>(target) - 1;
  if (t.link_index == TrackingToken::kOpen && !in.empty()) return bad;  // a pixel has no URL
  t.url = std::string(in);
  parsed.signed_bytes = std::move(bytes);
  return parsed;
}

bool VerifyTrackingToken(const ParsedTrackingToken& parsed, const TrackingKey& key) {
  const auto expected = Hmac(key.data(), key.size(), parsed.signed_bytes);
  return CRYPTO_memcmp(expected.data(), parsed.mac.data(), TrackingToken::kMacBytes) == 0;
}

}  // namespace campaignd
