#include "auth/code_hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>

#include "core/hex.h"

namespace campaignd::auth {

std::string HashCode(std::string_view code) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(code.data(), code.size(), digest, &len, EVP_sha256(), nullptr);
  return HexLower(std::string_view(reinterpret_cast<const char*>(digest), len));
}

bool CodeHashEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string GenerateCode() {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string code;
  while (code.size() < 32) {
    unsigned char byte = 0;
    if (RAND_bytes(&byte, 1) != 1) std::abort();  // CSPRNG failure: broken invariant
    if (byte < 248) code += kAlphabet[byte % 62];  // 248 = 4 * 62: no modulo bias
  }
  return code;
}

bool IsValidCode(std::string_view code) {
  if (code.size() < 6 || code.size() > 128) return false;
  for (char c : code) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == '~';
    if (!ok) return false;
  }
  return true;
}

}  // namespace campaignd::auth
