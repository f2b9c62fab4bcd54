#include "webhook/signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace campaignd::webhook {

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * bytes.size());
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string Signature(std::string_view key, int64_t unix_seconds, std::string_view body) {
  const std::string t = std::to_string(unix_seconds);
  std::string message;
  message.reserve(t.size() + 1 + body.size());
  message.append(t).append(".").append(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  return "t=" + t + ",v1=" + Hex(std::string_view(reinterpret_cast<const char*>(mac), len));
}

}  // namespace campaignd::webhook
