// Test-only: DKIM key pairs generated in-process (no private key is
// committed). Used by dkim_test.cc and verify_message_test.cc.
#ifndef CAMPAIGND_RENDER_TEST_KEYS_H_
#define CAMPAIGND_RENDER_TEST_KEYS_H_

#include <string>
#include <string_view>

namespace campaignd::render {

struct TestKey {
  std::string private_pem;  // PKCS#8 PEM
  std::string dns_txt;      // "v=DKIM1; k=rsa|ed25519; p=<base64>"
};

// A fresh key: algorithm "rsa" (with `rsa_bits`) or "ed25519". Aborts the
// test binary on an OpenSSL failure (a broken environment, not a result).
TestKey GenerateTestKey(std::string_view algorithm, int rsa_bits = 2048);

// `pem` re-written as an encrypted PKCS#8 PEM (AES-256-CBC, `passphrase`).
std::string EncryptPem(std::string_view pem, std::string_view passphrase);

// One RSA-2048 and one Ed25519 key per process (RSA generation is slow).
const TestKey& SharedRsaKey();
const TestKey& SharedEd25519Key();

}  // namespace campaignd::render

#endif  // CAMPAIGND_RENDER_TEST_KEYS_H_
