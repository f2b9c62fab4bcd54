// DKIM signing. The signature header is folded by DkimHeaderBuilder in a
// streaming way, so the text up to "b=" is the same when it is hashed
// (with an empty b=) and when the signature is appended after it.
// Signing context: EVP_DigestSignInit costs ~7 us (ed25519) and ~10 us
// (RSA-2048) per call on this project's 2-core machine, a copy of an
// initialised context ~0.5-1 us, so Load initialises one per key and each
// Sign copies it (EVP_MD_CTX_copy_ex only reads its source: many threads
// may copy the same one).
#include "render/dkim.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

#include "core/fields.h"
#include "core/limits.h"
#include "render/body_encoding.h"
#include "render/dkim_canonical.h"

namespace campaignd::render {

struct DkimSigner::Key {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey{nullptr, &EVP_PKEY_free};
  // EVP_DigestSignInit'ed with pkey (SHA-256 for RSA, none for ed25519);
  // never used itself, only copied (see the file comment).
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context{nullptr, &EVP_MD_CTX_free};
  bool ed25519 = false;
};

namespace {

using MdContext = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

// SHA-256 fetched once (OpenSSL 3 looks an implicitly fetched digest up on
// every init).
const EVP_MD* Sha256Md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

constexpr std::string_view kRsaSha256 = "rsa-sha256";
constexpr std::string_view kEd25519Sha256 = "ed25519-sha256";
// RFC 8301 §3.2: verifiers must not accept RSA keys below 1024 bits.
constexpr int kMinRsaKeyBits = 1024;
// Signed when present, in this order (dkim.h).
constexpr std::array<std::string_view, 11> kSignedHeaders = {"from",
                                                             "to",
                                                             "subject",
                                                             "date",
                                                             "message-id",
                                                             "mime-version",
                                                             "content-type",
                                                             "reply-to",
                                                             "list-unsubscribe",
                                                             "list-unsubscribe-post",
                                                             "feedback-id"};
// Characters of the signature per piece; the folder may break between pieces.
constexpr std::size_t kSignatureChunkChars = 64;

using Digest = DkimBodyDigest;  // a SHA-256 digest

Digest Sha256(std::string_view data) {
  Digest d;
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), d.data());
  return d;
}

std::string_view AsText(const Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

// The oldest OpenSSL error of this thread as text; clears the queue.
std::string OpensslError() {
  unsigned long code = ERR_get_error();
  char buf[256] = "unknown OpenSSL error";
  if (code != 0) ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

// A domain or selector: dot-separated LDH labels (RFC 6376 §3.1, §3.5).
bool IsDnsName(std::string_view s) {
  if (s.empty() || s.size() > limits::kMaxDomainBytes) return false;
  std::size_t label = 0;
  char prev = '.';
  for (char c : s) {
    bool ldh = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (c == '.') {
      if (prev == '.' || prev == '-') return false;
      label = 0;
    } else if (!ldh || (label == 0 && c == '-')) {
      return false;
    } else {
      ++label;
    }
    prev = c;
  }
  return prev != '.' && prev != '-';
}

// Streams "DKIM-Signature:" and its pieces, breaking the line (CRLF SP)
// before a piece that would pass limits::kFoldWidth.
class DkimHeaderBuilder {
 public:
  DkimHeaderBuilder() : text_("DKIM-Signature:"), line_(text_.size()) {}
  // `space`: a space separates the piece from the previous one on a line.
  void Add(std::string_view piece, bool space) {
    std::size_t gap = space ? 1 : 0;
    if (line_ + gap + piece.size() > limits::kFoldWidth) {
      text_ += "\r\n ";
      line_ = 1;
    } else if (space) {
      text_.push_back(' ');
      ++line_;
    }
    text_ += piece;
    line_ += piece.size();
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::size_t line_;
};

int PassphraseRefused(char*, int, int, void*) { return -1; }  // never prompt

// rsa-sha256: RSASSA-PKCS1-v1_5 with SHA-256 over `data`. ed25519-sha256
// (RFC 8463 §3): PureEdDSA (EVP_DigestSign, one shot) over the SHA-256
// digest of `data`. `context` is the key's initialised one; a copy signs.
Result<std::string> SignData(const EVP_MD_CTX* context, bool ed25519, std::string_view data) {
  MdContext ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  Digest digest;
  if (ed25519) {
    digest = Sha256(data);
    data = AsText(digest);
  }
  std::size_t length = 0;
  auto input = reinterpret_cast<const unsigned char*>(data.data());
  if (!ctx || EVP_MD_CTX_copy_ex(ctx.get(), context) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, input, data.size()) != 1) {
    return Status::Internal("DKIM signing setup failed: " + OpensslError());
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, input,
                     data.size()) != 1) {
    return Status::Internal("DKIM signing failed: " + OpensslError());
  }
  signature.resize(length);
  return signature;
}

}  // namespace

Result<DkimSigner> DkimSigner::Load(std::string domain, std::string selector,
                                    std::string_view algorithm, std::string_view pem) {
  domain = LowerAscii(domain);
  selector = LowerAscii(selector);
  if (!algorithm.empty() && algorithm != kRsaSha256 && algorithm != kEd25519Sha256) {
    return Status::InvalidArgument("DKIM algorithm must be rsa-sha256 or ed25519-sha256");
  }
  if (!IsDnsName(domain)) return Status::InvalidArgument("DKIM domain is not an ASCII host name");
  if (!IsDnsName(selector)) return Status::InvalidArgument("DKIM selector is not a DNS name");
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  auto key = std::make_shared<Key>();
  if (bio)
    key->pkey.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, &PassphraseRefused, nullptr));
  if (!key->pkey)
    return Status::InvalidArgument("DKIM key is not a PEM private key: " + OpensslError());
  if (algorithm.empty()) {  // taken from the key
    algorithm = EVP_PKEY_is_a(key->pkey.get(), "ED25519") ? kEd25519Sha256 : kRsaSha256;
  }
  key->ed25519 = algorithm == kEd25519Sha256;
  if (key->ed25519 && !EVP_PKEY_is_a(key->pkey.get(), "ED25519")) {
    return Status::InvalidArgument("DKIM key is not an Ed25519 key (algorithm ed25519-sha256)");
  }
  if (!key->ed25519 && !EVP_PKEY_is_a(key->pkey.get(), "RSA")) {
    return Status::InvalidArgument("DKIM key is not an RSA key (algorithm rsa-sha256)");
  }
  if (!key->ed25519 && EVP_PKEY_get_bits(key->pkey.get()) < kMinRsaKeyBits) {
    return Status::InvalidArgument("DKIM RSA key is shorter than 1024 bits");
  }
  key->context.reset(EVP_MD_CTX_new());
  if (!key->context ||
      EVP_DigestSignInit(key->context.get(), nullptr, key->ed25519 ? nullptr : Sha256Md(), nullptr,
                         key->pkey.get()) != 1) {
    return Status::InvalidArgument("DKIM key cannot sign: " + OpensslError());
  }
  DkimSigner signer;
  signer.domain_ = std::move(domain);
  signer.selector_ = std::move(selector);
  signer.algorithm_ = std::string(algorithm);
  signer.key_ = std::move(key);
  return signer;
}

// Small canonical pieces (CRLFs, delimiters, a part's header lines) are
// gathered in `buffer`, so SHA-256 gets few, larger updates.
struct DkimBodyHash::State {
  static constexpr std::size_t kBufferBytes = 1024;
  MdContext md{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  bool ok = md && EVP_DigestInit_ex(md.get(), Sha256Md(), nullptr) == 1;
  std::array<char, kBufferBytes> buffer;
  std::size_t buffered = 0;
  RelaxedBodyStream stream{[this](std::string_view piece) { Add(piece); }};

  void Hash(const char* data, std::size_t size) {
    ok = ok && EVP_DigestUpdate(md.get(), data, size) == 1;
  }
  void Flush() {
    Hash(buffer.data(), buffered);
    buffered = 0;
  }
  void Add(std::string_view piece) {
    // A large piece is hashed as it is, after what is buffered (in order:
    // buffered bytes must never be hashed after a later piece).
    if (buffered + piece.size() > buffer.size() || piece.size() >= buffer.size() / 4) Flush();
    if (piece.size() >= buffer.size() / 4) {
      Hash(piece.data(), piece.size());
    } else {
      std::copy(piece.begin(), piece.end(), buffer.begin() + buffered);
      buffered += piece.size();
    }
  }
};

DkimBodyHash::DkimBodyHash() : state_(std::make_unique<State>()) {}
DkimBodyHash::~DkimBodyHash() = default;

void DkimBodyHash::Update(std::string_view body_bytes) { state_->stream.Update(body_bytes); }

Result<DkimBodyDigest> DkimBodyHash::Finish() {
  state_->stream.Finish();
  state_->Flush();
  DkimBodyDigest digest;
  if (!state_->ok || EVP_DigestFinal_ex(state_->md.get(), digest.data(), nullptr) != 1) {
    return Status::Internal("DKIM body hash failed: " + OpensslError());
  }
  return digest;
}

Result<std::string> DkimSigner::Sign(std::string_view message, TimePoint now) const {
  Result<MessageParts> parts = SplitMessage(message);
  if (!parts.ok()) return parts.status();
  DkimBodyHash body_hash;
  body_hash.Update(parts->body);
  Result<DkimBodyDigest> digest = body_hash.Finish();
  if (!digest.ok()) return digest.status();
  return Sign(message, *digest, now);
}

Result<std::string> DkimSigner::Sign(std::string_view message, const DkimBodyDigest& body_hash,
                                     TimePoint now) const {
  Result<MessageParts> parts = SplitMessage(message);
  if (!parts.ok()) return parts.status();
  std::string hashed;  // canonical header fields, then the signature field
  std::vector<std::string_view> names;
  for (std::string_view wanted : kSignedHeaders) {
    // RFC 6376 §5.4.2: several instances are signed from the bottom up.
    for (auto it = parts->fields.rbegin(); it != parts->fields.rend(); ++it) {
      if (LowerAscii(it->name) != wanted) continue;
      names.push_back(wanted);
      hashed += RelaxedHeader(it->raw);
    }
  }
  if (names.empty() || names.front() != "from") {
    return Status::InvalidArgument("message has no From header field to sign");
  }
  DkimHeaderBuilder header;
  header.Add("v=1;", true);
  header.Add("a=" + algorithm_ + ";", true);
  header.Add("c=relaxed/relaxed;", true);
  header.Add("d=" + domain_ + ";", true);
  header.Add("s=" + selector_ + ";", true);
  header.Add(
      "t=" +
          std::to_string(
              std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()) +
          ";",
      true);
  for (std::size_t i = 0; i < names.size(); ++i) {
    // FWS may stand before each ':' of h= (RFC 6376 §3.5).
    std::string piece = (i == 0 ? "h=" : ":") + std::string(names[i]);
    if (i + 1 == names.size()) piece += ";";
    header.Add(piece, i == 0);
  }
  header.Add("bh=" + EncodeBase64(AsText(body_hash)) + ";", true);
  header.Add("b=", true);
  std::string signed_field = RelaxedHeader(header.text());
  hashed += signed_field.substr(0, signed_field.size() - 2);  // RFC 6376 §3.7: no final CRLF
  Result<std::string> signature = SignData(key_->context.get(), key_->ed25519, hashed);
  if (!signature.ok()) return signature.status();
  std::string b = EncodeBase64(*signature);
  for (std::size_t i = 0; i < b.size(); i += kSignatureChunkChars) {
    header.Add(std::string_view(b).substr(i, kSignatureChunkChars), false);
  }
  return header.text() + "\r\n";
}

}  // namespace campaignd::render
