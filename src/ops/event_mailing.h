// The steps sendeventmail and sendtransactionmail share: finding the event
// mailing a request names (bmMailingId) and checking it may be sent to the
// caller's list, and storing one mail and answering `enqueued: <mailId>`.
// Callers: send_event_mail.cc, send_transaction_mail.cc.
// Errors: a Reply for every business "no"; a failed Status for the store.
#ifndef CAMPAIGND_OPS_EVENT_MAILING_H_
#define CAMPAIGND_OPS_EVENT_MAILING_H_

#include <variant>

#include "ops/operation.h"

namespace campaignd::ops {

// The mailing of bmMailingId, checked in the order of behaviour.md §3:
// not a number or no such mailing of the client -> not_found; not an event
// mailing -> wrong_mailing_type; not SENDING -> wrong_mailing_status; not
// assigned to the caller's list -> wrong_tag: 505.
// REQUIRES: bmMailingId is present (the caller answered missing_id).
Result<std::variant<store::Mailing, Reply>> FindEventMailing(const Context& ctx);

// Stores `mail` durably, wakes the workers and answers `enqueued: <mailId>`
// (EnqueuedReply). Under HandleInline (ctx.deferred set) it only hands the
// mail over and answers a placeholder that HandleInline replaces.
Result<Reply> EnqueueMail(const Context& ctx, const store::NewMail& mail);

// The answer once the queue returned `sequence` for a mail of `client_id`:
// `enqueued: <mailId>` after waking the workers, or the queue's failure.
Result<Reply> EnqueuedReply(const Deps& deps, int64_t client_id, const std::string& mail_id_secret,
                            const Result<int64_t>& sequence);

}  // namespace campaignd::ops

#endif  // CAMPAIGND_OPS_EVENT_MAILING_H_
