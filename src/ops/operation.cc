#include "ops/operation.h"

#include <array>

#include "auth/authorize.h"
#include "ops/blacklist.h"
#include "ops/copy_move.h"
#include "ops/event_mailing.h"
#include "ops/get_send_status.h"
#include "ops/nop.h"
#include "ops/online_version.h"
#include "ops/remove.h"
#include "ops/send_event_mail.h"
#include "ops/send_transaction_mail.h"
#include "ops/subscribe.h"
#include "ops/tracking_opt_out.h"
#include "ops/unsubscribe.h"
#include "ops/update_fields.h"
#include "ops/upload_personalized_attachments.h"

namespace campaignd::ops {
namespace {

struct OperationDef {
  std::string_view name;  // the wire name, lower-case
  OperationFn fn;
  bool form;  // available in the form service
  bool mail;  // available in the mail service
  // HandleInline may run it: it reads only the directory, and writes at
  // most one mail through EnqueueMail.
  bool inline_ok = false;
};

// The op table: every operation campaignd knows (behaviour.md §3).
constexpr auto kOperations = std::to_array<OperationDef>({
    {"sendeventmail", &SendEventMail, true, true, true},
    {"getsendstatus", &GetSendStatus, true, false},
    {"nop", &Nop, true, true},
    {"sendtransactionmail", &SendTransactionMail, true, false},
    {"uploadpersonalizedattachments", &UploadPersonalizedAttachments, true, false},
    {"onlineversion", &OnlineVersion, true, true},
    {"subscribe", &Subscribe, true, true},
    {"unsubscribe", &Unsubscribe, true, true},
    {"remove", &Remove, true, true},
    {"copy", &Copy, true, true},
    {"move", &Move, true, true},
    {"updatefields", &UpdateFields, true, true},
    {"blacklist", &Blacklist, true, false},
    {"unblacklist", &Unblacklist, true, false},
    {"createtrackingoptout", &CreateTrackingOptOut, true, true},
    {"deletetrackingoptout", &DeleteTrackingOptOut, true, true},
});

const OperationDef* FindOperation(std::string_view name) {
  for (const OperationDef& def : kOperations) {
    if (def.name == name) return &def;
  }
  return nullptr;
}

// Authorizes (501..505), then answers 507/506 or runs the operation with
// `deferred` (Context::deferred).
Answer Handle(const auth::RequestInfo& info, const Params& params, const Deps& deps,
              std::optional<DeferredMail>* deferred) {
  auto decision = auth::Authorize(info, deps.directory, deps.queue);
  if (!decision.ok()) return Answer{decision.status(), {}};
  if (auto* denied = std::get_if<auth::Denied>(&*decision)) {
    return Answer{Reply::WrongTag(denied->wrong_tag), {}};
  }
  const auth::Caller& caller = std::get<auth::Caller>(*decision);
  Answer answer{Reply::WrongTag(507), caller.redirect_hosts};
  // 507 only after 501..505 passed, so an unknown code never learns which
  // operations exist; an unknown name is not "not permitted" (506).
  const OperationDef* op = FindOperation(info.operation);
  if (op == nullptr) return answer;
  bool in_service = caller.service == auth::Service::kForm ? op->form : op->mail;
  if (!in_service || !caller.Permits(op->name)) {
    answer.result = Reply::WrongTag(506);
    return answer;
  }
  answer.result = op->fn(Context{caller, params, deps, deferred});
  return answer;
}

}  // namespace

Answer HandleRequest(const auth::RequestInfo& info, const Params& params, const Deps& deps) {
  return Handle(info, params, deps, nullptr);
}

bool HandleInline(const auth::RequestInfo& info, const Params& params, const Deps& memory,
                  AnswerDone& done) {
  // The mail service looks its mail up in the queue: a read, on the pool.
  if (info.service != auth::Service::kForm) return false;
  const OperationDef* op = FindOperation(info.operation);
  if (op == nullptr || !op->inline_ok) return false;
  std::optional<DeferredMail> deferred;
  Answer answer = Handle(info, params, memory, &deferred);
  // A failed Status here is a directory answer not in memory: nothing was
  // written, the pool asks the database (and meets its real errors).
  if (!answer.result.ok()) return false;
  if (!deferred.has_value()) {
    done(std::move(answer));
    return true;
  }
  // The answer EnqueueMail gives once the mail is durable.
  const store::NewMail& mail = deferred->mail;
  return memory.queue.EnqueueAsync(
      mail, [&memory, answer = std::move(answer), done = std::move(done), client_id = mail.client_id,
             secret = std::move(deferred->mail_id_secret)](Result<int64_t> sequence) mutable {
        answer.result = EnqueuedReply(memory, client_id, secret, sequence);
        done(std::move(answer));
      });
}

}  // namespace campaignd::ops
