#include "core/mail_id.h"

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstring>

namespace campaignd {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";  // Crockford
constexpr std::size_t kMacChars = 16;  // 80 bits / 5
constexpr std::size_t kMaxNumberChars = 13;  // 2^63 needs 13 base-32 digits

int DigitValue(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  auto pos = kAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

std::string EncodeNumber(uint64_t v) {
  std::string out;
  do {
    out.insert(out.begin(), kAlphabet[v & 31]);
    v >>= 5;
  } while (v != 0);
  return out;
}

// Only the canonical form: no leading zero, so one number has one spelling
// and an altered ID ("01-..." for "1-...") is refused like a forged one.
bool DecodeNumber(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > kMaxNumberChars || s.front() == '0') return false;
  unsigned __int128 v = 0;
  for (char c : s) {
    int d = DigitValue(c);
    if (d < 0) return false;
    v = v * 32 + static_cast<unsigned>(d);
  }
  if (v == 0 || v > static_cast<unsigned __int128>(INT64_MAX)) return false;
  *out = static_cast<int64_t>(v);
  return true;
}

}  // namespace

std::array<uint8_t, MailId::kMacBytes> MailId::ComputeMac(int64_t client_id, int64_t sequence,
                                                          std::string_view secret) {
  std::string data = "campaignd-mail-id-v1:" + std::to_string(client_id) + ":" +
                     std::to_string(sequence);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &len);
  std::array<uint8_t, kMacBytes> mac{};
  std::memcpy(mac.data(), digest, kMacBytes);
  return mac;
}

MailId MailId::Make(int64_t client_id, int64_t sequence, std::string_view secret) {
  MailId id;
  id.client_id_ = client_id;
  id.sequence_ = sequence;
  id.mac_ = ComputeMac(client_id, sequence, secret);
  return id;
}

Result<MailId> MailId::Parse(std::string_view text) {
  auto bad = [] { return Status::InvalidArgument("malformed mail ID"); };
  auto d1 = text.find('-');
  if (d1 == std::string_view::npos) return bad();
  auto d2 = text.find('-', d1 + 1);
  if (d2 == std::string_view::npos) return bad();
  std::string_view client = text.substr(0, d1);
  std::string_view seq = text.substr(d1 + 1, d2 - d1 - 1);
  std::string_view mac = text.substr(d2 + 1);
  MailId id;
  if (!DecodeNumber(client, &id.client_id_) || !DecodeNumber(seq, &id.sequence_)) return bad();
  if (mac.size() != kMacChars) return bad();
  // 16 chars * 5 bits = 80 bits, big-endian.
  uint64_t hi = 0, lo = 0;  // 40 bits each
  for (std::size_t i = 0; i < kMacChars; ++i) {
    int d = DigitValue(mac[i]);
    if (d < 0) return bad();
    uint64_t& part = i < kMacChars / 2 ? hi : lo;
    part = (part << 5) | static_cast<uint64_t>(d);
  }
  for (int i = 0; i < 5; ++i) {
    id.mac_[i] = static_cast<uint8_t>(hi >> (8 * (4 - i)));
    id.mac_[5 + i] = static_cast<uint8_t>(lo >> (8 * (4 - i)));
  }
  return id;
}

bool MailId::Verify(std::string_view secret) const {
  if (secret.empty()) return false;
  auto expected = ComputeMac(client_id_, sequence_, secret);
  return CRYPTO_memcmp(expected.data(), mac_.data(), kMacBytes) == 0;
}

std::string MailId::ToString() const {
  uint64_t hi = 0, lo = 0;
  for (int i = 0; i < 5; ++i) {
    hi = (hi << 8) | mac_[i];
    lo = (lo << 8) | mac_[5 + i];
  }
  std::string mac(kMacChars, '0');
  for (std::size_t i = 0; i < kMacChars / 2; ++i) {
    mac[kMacChars / 2 - 1 - i] = kAlphabet[(hi >> (5 * i)) & 31];
    mac[kMacChars - 1 - i] = kAlphabet[(lo >> (5 * i)) & 31];
  }
  return EncodeNumber(static_cast<uint64_t>(client_id_)) + "-" +
         EncodeNumber(static_cast<uint64_t>(sequence_)) + "-" + mac;
}

std::string NewMailIdSecret() {
  std::string secret(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()), 32) != 1) {
    // The OS CSPRNG failing is a broken invariant, not an input problem.
    std::abort();
  }
  return secret;
}

}  // namespace campaignd
