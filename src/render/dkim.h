// DkimSigner: DKIM signatures (RFC 6376, c=relaxed/relaxed) with rsa-sha256
// or ed25519-sha256 (RFC 8463) on OpenSSL 3 EVP. A signer loads its private
// key and sets up its signing context once (Load) and then signs any number
// of messages. DkimBodyHash takes the body hash (bh=) while the body is
// written (RenderMessage does), so signing reads only the header.
// Input: the message bytes RenderMessage produced (CRLF, trusted).
// Threads: Sign() is const and safe from many threads at once; a
// DkimBodyHash belongs to one caller.
// Errors: Load -> InvalidArgument naming the problem (bad PEM, key type not
// matching the algorithm, RSA key < 1024 bits, domain or selector not an
// ASCII DNS name); Sign -> InvalidArgument for a message without a From
// field or with a malformed header line, Internal on an OpenSSL failure.
#ifndef CAMPAIGND_RENDER_DKIM_H_
#define CAMPAIGND_RENDER_DKIM_H_

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace campaignd::render {

class RelaxedBodyStream;

// SHA-256 of a body in relaxed canonical form: the value of bh=.
using DkimBodyDigest = std::array<unsigned char, 32>;

// Hashes a body given in pieces (Update, in order, split anywhere), then
// Finish() once: Internal when OpenSSL failed at any step.
class DkimBodyHash {
 public:
  DkimBodyHash();
  ~DkimBodyHash();
  DkimBodyHash(const DkimBodyHash&) = delete;
  DkimBodyHash& operator=(const DkimBodyHash&) = delete;
  void Update(std::string_view body_bytes);
  Result<DkimBodyDigest> Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

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
  // The same with bh= given: `body_hash` is DkimBodyHash's digest of the
  // body of `message` (RenderedMessage::dkim_body_hash); only the header
  // fields of `message` are read.
  Result<std::string> Sign(std::string_view message, const DkimBodyDigest& body_hash,
                           TimePoint now) const;

  const std::string& domain() const { return domain_; }
  const std::string& selector() const { return selector_; }
  const std::string& algorithm() const { return algorithm_; }

 private:
  struct Key;
  DkimSigner() = default;
  std::string domain_, selector_, algorithm_;
  std::shared_ptr<const Key> key_;  // EVP_PKEY and signing context, shared by copies
};

}  // namespace campaignd::render

#endif  // CAMPAIGND_RENDER_DKIM_H_
