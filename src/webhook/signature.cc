#include "webhook/signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/hex.h"

namespace campaignd::webhook {

std::string Signature(std::string_view key, int64_t unix_seconds, std::string_view body) {
  const std::string t = std::to_string(unix_seconds);
  std::string message;
  message.reserve(t.size() + 1 + body.size());
  message.append(t).append(".").append(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  return "t=" + t + ",v1=" + HexLower(std::string_view(reinterpret_cast<const char*>(mac), len));
}

}  // namespace campaignd::webhook
