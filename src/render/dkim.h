// DkimSigner: DKIM signatures (RFC 6376, c=relaxed/relaxed) with rsa-sha256
// or ed25519-sha256 (RFC 8463) on OpenSSL 3 EVP. A signer loads its private
// key once (Load) and then signs any number of messages.
// Input: the message bytes RenderMessage produced (CRLF, trusted).
// Threads: Sign() is const and safe from many threads at once.
// Errors: Load -> InvalidArgument naming the problem (bad PEM, key type not
// matching the algorithm, RSA key < 1024 bits, domain or selector not an
// ASCII DNS name); Sign -> InvalidArgument for a message without a From
// field or with a malformed header line, Internal on an OpenSSL failure.
#ifndef CAMPAIGND_RENDER_DKIM_H_
#define CAMPAIGND_RENDER_DKIM_H_

#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace campaignd::render {

class DkimSigner {
 public:
  // algorithm: "rsa-sha256" or "ed25519-sha256", or empty for the one the
  // key's type implies (algorithm() tells which); pem: a PKCS#8 or
  // traditional private key in PEM.
  static Result<DkimSigner> Load(std::string domain, std::string selector,
                                 std::string_view algorithm, std::string_view pem);

  // The complete "DKIM-Signature: ..." header field, folded, ending in CRLF,
  // to be put in front of `message`. Signs from, to, subject, date,
  // message-id, mime-version, content-type, reply-to, list-unsubscribe,
  // list-unsubscribe-post and feedback-id where present; t= is `now`.
  Result<std::string> Sign(std::string_view message, TimePoint now) const;

  const std::string& domain() const { return domain_; }
  const std::string& selector() const { return selector_; }
  const std::string& algorithm() const { return algorithm_; }

 private:
  struct Key;
  DkimSigner() = default;
  std::string domain_, selector_, algorithm_;
  std::shared_ptr<const Key> key_;  // EVP_PKEY, shared by copies
};

}  // namespace campaignd::render

#endif  // CAMPAIGND_RENDER_DKIM_H_
