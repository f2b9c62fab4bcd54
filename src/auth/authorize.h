// Authorize: the checks that decide wrong_tag 501..505 for one request, in
// the order of behaviour.md §2 (first failing check wins):
//   501 unknown/disabled code, or a bad mail ID (syntax, MAC, no such mail)
//   502 source IP outside the code's ranges        (form service)
//   503 method not allowed (anything but GET/POST always is)
//   504 protocol not allowed                       (form service)
//   505 the code's (or the mail's) list is gone
// 506/507 are decided by ops/ once the operation is looked up.
// Threads: blocks on the Directory; call it on the blocking pool (or with a
// directory that never blocks: ops::HandleInline on the I/O thread).
// Errors: a failed Status only when the store fails.
#ifndef CAMPAIGND_AUTH_AUTHORIZE_H_
#define CAMPAIGND_AUTH_AUTHORIZE_H_

#include <variant>

#include "auth/caller.h"
#include "store/store.h"

namespace campaignd::auth {

struct Denied {
  int wrong_tag = 501;  // 501..505
};

using Decision = std::variant<Caller, Denied>;

// The mail service looks the mail up through `queue`.
Result<Decision> Authorize(const RequestInfo& info, store::Directory& directory,
                           store::MailQueue& queue);

// True when `ip` (textual IPv4 or IPv6) lies in `cidr` ("10.0.0.0/8",
// "::1/128", or a bare address). False for malformed input.
bool IpInCidr(std::string_view ip, std::string_view cidr);

// True when `cidr` is well-formed (for validating provisioning input).
bool IsValidCidr(std::string_view cidr);

// The source a throttle counts `ip` as (Caller::source): an IPv4 address
// (also when IPv4-mapped) as itself, an IPv6 address as its /64 - one
// host's usual allocation, which it can fill with 2^64 addresses of its own
// ("2001:db8:1:2::/64"). Malformed input is returned as it is.
std::string SourceNetwork(std::string_view ip);

}  // namespace campaignd::auth

#endif  // CAMPAIGND_AUTH_AUTHORIZE_H_
