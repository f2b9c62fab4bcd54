// Processor: what a worker does with one claimed mail (the cleanup+smtp of
// Postfix in one call): look the mail's client, mailing, list and
// recipient up; judge the recipient (behaviour.md §3 "recipient state is
// judged when the mail is processed"); render, DKIM-sign and hand the
// message to the client's transport; decide the outcome (outcome.h).
// Order of checks, first match wins: mailing gone or not SENDING ->
// wrong_mailing_status; list or recipient gone (or pending a double
// opt-in, unless the mailing is the confirmation mailing) -> not_found; blocklist -> blacklisted; unsubscribed -> unsubscribed; hard
// bounces >= the client's limit -> too_many_bounces; outside the mailing's
// target group -> filtered; unrenderable -> could_not_be_sent (no attempt).
// A transaction mail's recipient is its own field snapshot (no record in
// the list); its attachments (store/attachments.h) are loaded last, and a
// mail whose upload expired or vanished is vetoed (decisions/0011).
// A confirmation mailing's {bmOptInUrl} is the mail's own mail-service
// subscribe link, plus ?bmUrl=<confirmation URL> of the recipient's opt-in
// process when it has one (docs/decisions/0010-recipient-operations.md);
// render/system_fields.h builds it with the other system fields.
// Rate limits: before each attempt the worker waits for a slot in the
// client's window (rate_limit) and the relay's (transport rate=), both
// counted in the store so they hold across all worker processes.
// Threads: Process() is safe from many workers at once; caches are guarded.
// Errors: a failed Status only when the store fails (the worker leaves the
// claim to expire and retries later); every other problem is an Outcome.
#ifndef CAMPAIGND_QUEUE_PROCESSOR_H_
#define CAMPAIGND_QUEUE_PROCESSOR_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <variant>

#include "core/clock.h"
#include "core/target_group.h"
#include "deliver/transport.h"
#include "queue/outcome.h"
#include "queue/signer_cache.h"
#include "render/message.h"
#include "store/store.h"

namespace campaignd::queue {

struct ProcessorOptions {
  std::string public_url = "http://127.0.0.1:8080";  // base of mail-service links
  std::string unsubscribe_mailto;                     // empty: no mailto in List-Unsubscribe
  RetryPolicy retry;
  deliver::TransportOptions transport;
};

// Opens transports by URL. main.cc passes deliver::OpenTransport; tests may
// pass a function that wraps it (e.g. to count deliveries).
using TransportOpener = std::function<Result<std::unique_ptr<deliver::Transport>>(
    std::string_view url, const deliver::TransportOptions&)>;

class Processor {
 public:
  // `coordination` counts the client's rate_limit and each relay's rate=
  // in windows shared by every process (store.h); `recipients` names the
  // opt-in process of a confirmation mail's recipient.
  Processor(store::Directory& directory, store::Recipients& recipients,
            store::Coordination& coordination, const Clock& clock, ProcessorOptions options,
            TransportOpener opener,
            store::Attachments* attachments = nullptr);

  // The outcome for `mail` (claimed by the caller); Outcome::worker is left
  // for the caller to fill. `before_attempt`, when given, runs right before
  // the message is handed to the transport (not for a mail that is judged
  // without an attempt): the scheduler waits there until its thread's last
  // outcome is committed (scheduler.h "Recording").
  Result<store::Outcome> Process(const store::Mail& mail,
                                 const std::function<void()>& before_attempt = {});

  // The transport the mail of `client_id` is delivered through, as Process
  // will use it (opened once per URL); null when the client is gone or its
  // transport cannot be opened (Process then decides the outcome). A failed
  // Status only when the store fails.
  Result<std::shared_ptr<deliver::Transport>> TransportForClient(int64_t client_id);

 private:
  struct Judged;  // what the checks found (processor.cc)
  Result<std::variant<store::Outcome, Judged>> Judge(const store::Mail& mail, TimePoint now);
  // Consumes the templates, fields and attachments of `judged`.
  store::Outcome Deliver(const store::Mail& mail, Judged& judged, TimePoint now,
                         const std::function<void()>& before_attempt);
  // The files of `mail`'s upload (none without one); nullopt when the upload
  // expired or vanished (or no attachment store was given).
  Result<std::optional<std::vector<render::Attachment>>> LoadAttachments(const store::Mail& mail,
                                                                          TimePoint now);
  // The confirmation URL of the opt-in process of `mail`'s recipient ("" if none).
  Result<std::string> ConfirmationUrl(const store::Mail& mail);
  Result<std::shared_ptr<const TargetGroup>> TargetGroupOf(const std::string& expression);
  Result<std::shared_ptr<deliver::Transport>> TransportOf(const std::string& url);
  // Waits until one message under `key` fits into its shared rate window.
  void WaitForRate(const std::string& key, double per_second);

  // Constant after construction.
  store::Directory& directory_;
  store::Recipients& recipients_;
  store::Coordination& coordination_;
  const Clock& clock_;
  const ProcessorOptions options_;
  const TransportOpener opener_;
  store::Attachments* const attachments_;  // may be null: no upload can be loaded
  SignerCache signers_;

  std::mutex mu_;  // guards the two caches below
  std::map<std::string, std::shared_ptr<deliver::Transport>> transports_;
  std::map<std::string, std::shared_ptr<const TargetGroup>> target_groups_;
};

}  // namespace campaignd::queue

#endif  // CAMPAIGND_QUEUE_PROCESSOR_H_
