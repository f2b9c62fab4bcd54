#include "render/test_keys.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "render/body_encoding.h"

namespace campaignd::render {
namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "test key generation failed: %s\n", what);
  std::abort();
}

std::string PublicKeyBase64(EVP_PKEY* pkey, bool ed25519) {
  if (ed25519) {  // RFC 8463 §4.2: the raw 32-byte key
    std::size_t n = 0;
    if (EVP_PKEY_get_raw_public_key(pkey, nullptr, &n) != 1) Die("raw public key size");
    std::string raw(n, '\0');
    if (EVP_PKEY_get_raw_public_key(pkey, reinterpret_cast<unsigned char*>(raw.data()), &n) != 1) {
      Die("raw public key");
    }
    return EncodeBase64(raw);
  }
  int n = i2d_PUBKEY(pkey, nullptr);  // RFC 6376 §3.6.1: SubjectPublicKeyInfo
  if (n <= 0) Die("i2d_PUBKEY size");
  std::string der(static_cast<std::size_t>(n), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_PUBKEY(pkey, &p) != n) Die("i2d_PUBKEY");
  return EncodeBase64(der);
}

}  // namespace

TestKey GenerateTestKey(std::string_view algorithm, int rsa_bits) {
  bool ed25519 = algorithm == "ed25519";
  EVP_PKEY* raw =
      ed25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
              : EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(rsa_bits));
  if (raw == nullptr) Die("keygen");
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(raw, &EVP_PKEY_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    Die("PEM_write_bio_PrivateKey");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  TestKey key;
  key.private_pem.assign(data, static_cast<std::size_t>(len));
  key.dns_txt = std::string("v=DKIM1; k=") + (ed25519 ? "ed25519" : "rsa") +
                "; p=" + PublicKeyBase64(pkey.get(), ed25519);
  return key;
}

std::string EncryptPem(std::string_view pem, std::string_view passphrase) {
  std::unique_ptr<BIO, decltype(&BIO_free)> in(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
      PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), &BIO_free);
  std::string pass(passphrase);
  if (!pkey || !out ||
      PEM_write_bio_PKCS8PrivateKey(out.get(), pkey.get(), EVP_aes_256_cbc(), pass.data(),
                                    static_cast<int>(pass.size()), nullptr, nullptr) != 1) {
    Die("encrypting a PEM key");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

const TestKey& SharedRsaKey() {
  static const TestKey key = GenerateTestKey("rsa");
  return key;
}

const TestKey& SharedEd25519Key() {
  static const TestKey key = GenerateTestKey("ed25519");
  return key;
}

}  // namespace campaignd::render
