// The operations of the public API and the one entry point http/ calls.
// An operation is a stateless function of (Caller, Params, Store, Clock):
// it opens with its sanity checks, answers the precise token and returns
// early; the happy path follows (model: Beast handle_request).
// Threads: HandleRequest blocks on the store; call it on the blocking pool.
// HandleInline never blocks (an I/O thread may call it); its `done` runs on
// the store's writer thread or before it returns.
// Errors: a Reply for every answer the spec defines (including wrong_tag);
// a failed Status only when the work could not be done (store down...).
#ifndef CAMPAIGND_OPS_OPERATION_H_
#define CAMPAIGND_OPS_OPERATION_H_

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/caller.h"
#include "core/address.h"
#include "core/clock.h"
#include "core/limits.h"
#include "core/notifier.h"
#include "core/params.h"
#include "core/token.h"
#include "store/store.h"

namespace campaignd::ops {

struct Settings {
  // getsendstatus answers the stored status this long, then "enqueued".
  std::chrono::seconds status_retention = limits::kStatusRetention;
  // Base of mail-service links on onlineversion pages (config/config.h).
  std::string public_url = "http://127.0.0.1:8080";
  // Recipient addresses like user@[192.0.2.1]: kAllow only when the
  // operator's allow_address_literals says so (syntax_error otherwise).
  AddressLiterals address_literals = AddressLiterals::kRefuse;
  // subscribe: the least bmOptinFrequencyLimit (a caller may only ask for
  // more), and at most optin_source_limit confirmation mails per source
  // (client and Caller::source) per optin_source_window.
  std::chrono::seconds optin_frequency_limit = limits::kDefaultOptinFrequencyLimit;
  int optin_source_limit = limits::kDefaultOptinSourceLimit;
  std::chrono::seconds optin_source_window = limits::kDefaultOptinSourceWindow;
};

// What operations may touch. Constant after construction; the referenced
// objects outlive every request.
struct Deps {
  store::Directory& directory;
  store::MailQueue& queue;
  store::Recipients& recipients;  // subscribe, unsubscribe & co. (store/recipients.h)
  const Clock& clock;
  Notifier& notifier;  // wakes the workers after an enqueue
  Settings settings;
  // sendtransactionmail, uploadpersonalizedattachments and onlineversion
  // (docs/decisions/0011); main.cc wires both, and those operations fail
  // with Internal (system_error) when they are missing.
  store::Attachments* attachments = nullptr;
  store::MailingLookup* mailing_lookup = nullptr;
  // subscribe's per-source throttle, shared by every process (store.h);
  // a subscribe that would send a confirmation mail fails with Internal
  // (system_error) without it.
  store::Coordination* coordination = nullptr;
};

// A mail HandleInline leaves to its caller to enqueue (Context::deferred).
struct DeferredMail {
  store::NewMail mail;
  std::string mail_id_secret;  // of mail.client_id: signs the answer's mail ID
};

// Everything one operation sees.
struct Context {
  const auth::Caller& caller;
  const Params& params;
  const Deps& deps;
  // Set by HandleInline: EnqueueMail stores the mail here instead of
  // enqueueing it (the caller enqueues it without blocking).
  std::optional<DeferredMail>* deferred = nullptr;
};

using OperationFn = Result<Reply> (*)(const Context&);

struct Answer {
  Result<Reply> result = Reply::Failure(Token::kSystemError);
  // Where bmSuccessUrl/bmFailureUrl/bmUrl may point (empty: nowhere).
  std::vector<std::string> redirect_hosts;
};

// Authorizes (wrong_tag 501..505), finds the operation (507) and checks it
// is allowed here (506), then runs it. REQUIRES: info.operation lower-case.
Answer HandleRequest(const auth::RequestInfo& info, const Params& params, const Deps& deps);

using AnswerDone = std::function<void(Answer)>;

// HandleRequest without blocking, for the I/O thread (the accept path:
// sendeventmail on the form service). `memory` is `deps` with a directory
// that answers from memory only (store/directory_cache.h memory_only()).
// False, with nothing done, when the request needs the blocking pool (an
// answer not in memory, another operation, a queue that cannot enqueue
// without blocking): call HandleRequest then. True when `done` got or will
// get the same answer HandleRequest would give: at once, or from the
// store's thread once the mail is committed (MailQueue::EnqueueAsync).
bool HandleInline(const auth::RequestInfo& info, const Params& params, const Deps& memory,
                  AnswerDone& done);

}  // namespace campaignd::ops

#endif  // CAMPAIGND_OPS_OPERATION_H_
