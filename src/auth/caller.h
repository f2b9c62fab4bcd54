// Caller: who is calling the public API, after authorization succeeded.
// Built only by auth/Authorize() from a code (form service) or a mail ID
// (mail service); ops/ trust it. RequestInfo is what http/ tells auth/.
#ifndef CAMPAIGND_AUTH_CALLER_H_
#define CAMPAIGND_AUTH_CALLER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/mail_id.h"
#include "store/model.h"

namespace campaignd::auth {

enum class Service { kForm, kMail };

// What http/ knows about one request; all fields from the wire, untrusted.
struct RequestInfo {
  Service service = Service::kForm;
  std::string code;       // the path segment: authorization code or mail ID
  std::string operation;  // the path segment, lower-cased by http/
  std::string method;     // "GET", "POST", or anything else the client sent
  std::string protocol;   // "http" | "https" (trusted-proxy rules applied)
  std::string client_ip;  // textual IPv4/IPv6 (trusted-proxy rules applied)
};

// The mail a mail-service request names (its code is a mail ID).
struct MailRef {
  int64_t mail_id = 0;
  int64_t mailing_id = 0;
  std::string recipient_id;
};

struct Caller {
  Service service = Service::kForm;
  store::Client client;  // includes the mail-ID secret
  int64_t list_id = 0;
  std::vector<std::string> operations;      // allowed; empty = all
  std::vector<std::string> redirect_hosts;  // allowlist for bmUrl & co.
  std::optional<MailRef> mail;              // set for the mail service
  // Where the request came from, as throttles count it (SourceNetwork in
  // authorize.h: the IPv4 address, or the IPv6 /64).
  std::string source;

  // True when the code allows `operation` (lower-case wire name).
  bool Permits(std::string_view operation) const;
};

}  // namespace campaignd::auth

#endif  // CAMPAIGND_AUTH_CALLER_H_
