// MailId: the opaque, URL-safe, case-insensitive name of one mail
// (`bmMailId`, behaviour.md §1). It carries the client ID and the mail's
// sequence number in clear and an 80-bit HMAC-SHA-256 over both under the
// client's secret, so a forged or altered ID is refused without reading the
// mail (only the client's secret is needed). See docs/decisions/0002-mail-id.md.
//   text form: <client>-<sequence>-<mac>, each Crockford base-32, e.g.
//   "1-7K2M-A81C3D9E0BQ4W7ZX"
// Input: Parse() takes untrusted text. Threads: a value type.
#ifndef CAMPAIGND_CORE_MAIL_ID_H_
#define CAMPAIGND_CORE_MAIL_ID_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace campaignd {

class MailId {
 public:
  static constexpr std::size_t kMacBytes = 10;  // 80 bits

  // The ID of mail `sequence` of `client_id`, signed with `secret`.
  // REQUIRES: ids > 0; secret non-empty.
  static MailId Make(int64_t client_id, int64_t sequence, std::string_view secret);

  // Syntax only: InvalidArgument unless `text` has the form above (any case).
  // Call Verify() with the client's secret before trusting it.
  static Result<MailId> Parse(std::string_view text);

  // True when the MAC matches under `secret` (constant-time comparison).
  bool Verify(std::string_view secret) const;

  int64_t client_id() const { return client_id_; }
  int64_t sequence() const { return sequence_; }
  // Canonical (upper-case) text form.
  std::string ToString() const;

  bool operator==(const MailId&) const = default;

 private:
  MailId() = default;
  static std::array<uint8_t, kMacBytes> ComputeMac(int64_t client_id, int64_t sequence,
                                                   std::string_view secret);
  int64_t client_id_ = 0;
  int64_t sequence_ = 0;
  std::array<uint8_t, kMacBytes> mac_{};
};

// A fresh random secret for a new client (32 bytes from the OS CSPRNG).
std::string NewMailIdSecret();

}  // namespace campaignd

#endif  // CAMPAIGND_CORE_MAIL_ID_H_
