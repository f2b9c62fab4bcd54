#include "ops/event_mailing.h"

#include <algorithm>

#include "core/mail_id.h"
#include "ops/request_values.h"

namespace campaignd::ops {

Result<std::variant<store::Mailing, Reply>> FindEventMailing(const Context& ctx) {
  using Found = std::variant<store::Mailing, Reply>;
  // A mailing ID that is not a number names no mailing
  // (docs/decisions/0007-sendeventmail-edge-cases.md).
  auto mailing_id = ParseId(*ctx.params.Get("bmMailingId"));
  if (!mailing_id) return Found(Reply::Failure(Token::kNotFound));
  auto mailing = ctx.deps.directory.FindMailing(ctx.caller.client.id, *mailing_id);
  if (!mailing.ok()) return mailing.status();
  if (!mailing->has_value()) return Found(Reply::Failure(Token::kNotFound));
  const store::Mailing& m = **mailing;
  if (m.type != store::MailingType::kEvent) return Found(Reply::Failure(Token::kWrongMailingType));
  if (m.status != store::MailingStatus::kSending) {
    return Found(Reply::Failure(Token::kWrongMailingStatus));
  }
  if (std::find(m.list_ids.begin(), m.list_ids.end(), ctx.caller.list_id) == m.list_ids.end()) {
    return Found(Reply::WrongTag(505));
  }
  return Found(std::move(**mailing));
}

Result<Reply> EnqueueMail(const Context& ctx, const store::NewMail& mail) {
  const store::Client& client = ctx.caller.client;
  if (ctx.deferred != nullptr) {
    *ctx.deferred = DeferredMail{mail, client.mail_id_secret};
    return Reply::Success(Token::kEnqueued, "");
  }
  return EnqueuedReply(ctx.deps, client.id, client.mail_id_secret, ctx.deps.queue.Enqueue(mail));
}

Result<Reply> EnqueuedReply(const Deps& deps, int64_t client_id, const std::string& mail_id_secret,
                            const Result<int64_t>& sequence) {
  if (!sequence.ok()) return sequence.status();
  deps.notifier.Notify();
  return Reply::Success(Token::kEnqueued,
                        MailId::Make(client_id, *sequence, mail_id_secret).ToString());
}

}  // namespace campaignd::ops
