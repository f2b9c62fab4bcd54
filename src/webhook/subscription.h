// The rules of a webhook subscription (events.md §4), said once for every
// way one is written (admin API, `campaignd apply`) and for the dispatcher
// that sends to it: the target URL (http/https, a host, no user info),
// event types, the authentication kinds (none, basicAuth user + password,
// keyAuth header name + value, nothing that could end a header line or
// replace a header campaignd writes itself), and the signing secret: 32
// random bytes, shown and used as 64 lower-case hex digits (the HMAC key is
// that text, so `openssl dgst -hmac "$secret"` verifies a signature).
// Input: untrusted values from the admin API or the provisioning file.
// Threads: pure functions.
#ifndef CAMPAIGND_WEBHOOK_SUBSCRIPTION_H_
#define CAMPAIGND_WEBHOOK_SUBSCRIPTION_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/sql/events.h"

namespace campaignd::webhook {

inline constexpr std::size_t kMaxUrlBytes = 2048;
inline constexpr std::size_t kMaxAuthBytes = 1024;

// A broken rule: the member it concerns ("url", "types", "auth",
// "auth_name", "auth_secret") and why.
struct Problem {
  std::string member;
  std::string message;
};

// Problems with a target URL, or nullopt when it may be one.
std::optional<std::string> UrlProblem(std::string_view url);

// Every rule `webhook` breaks (url, types non-empty and without repeats,
// auth name/secret as its kind needs); empty when it keeps them all.
// `secret_may_be_kept`: an update may leave the auth secret empty (the
// store keeps the old one).
std::vector<Problem> SubscriptionProblems(const store::events::Webhook& webhook,
                                          bool secret_may_be_kept = false);

// Whether a change of the stored subscription `stored` into `changed` may
// leave the auth secret empty and keep the stored one: only when the auth
// kind and the URL stay the same - a provisioned credential never goes to a
// host it was not given for (the caller then requires auth_secret again).
bool AuthSecretMayBeKept(const store::events::Webhook& stored,
                         const store::events::Webhook& changed);

// A new signing secret (32 bytes from the OS CSPRNG, as stored).
std::string NewSigningSecret();
// The text shown once and used as the HMAC key: the secret's lower-case hex.
std::string SigningKey(std::string_view signing_secret);

}  // namespace campaignd::webhook

#endif  // CAMPAIGND_WEBHOOK_SUBSCRIPTION_H_
