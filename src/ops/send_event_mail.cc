#include "ops/send_event_mail.h"

#include <algorithm>

#include "core/mail_id.h"
#include "ops/request_values.h"

namespace campaignd::ops {

Result<Reply> SendEventMail(const Context& ctx) {
  if (!ctx.params.Has("bmMailingId")) return Reply::Failure(Token::kMissingId);
  auto recipient = RequestRecipient(ctx);
  if (auto* reply = std::get_if<Reply>(&recipient)) return *reply;
  const Address& address = std::get<Address>(recipient);

  // A mailing ID that is not a number names no mailing
  // (docs/decisions/0007-sendeventmail-edge-cases.md).
  auto mailing_id = ParseId(*ctx.params.Get("bmMailingId"));
  if (!mailing_id) return Reply::Failure(Token::kNotFound);
  const store::Client& client = ctx.caller.client;
  auto mailing = ctx.deps.directory.FindMailing(client.id, *mailing_id);
  if (!mailing.ok()) return mailing.status();
  if (!mailing->has_value()) return Reply::Failure(Token::kNotFound);
  const store::Mailing& m = **mailing;
  if (m.type != store::MailingType::kEvent) return Reply::Failure(Token::kWrongMailingType);
  if (m.status != store::MailingStatus::kSending) {
    return Reply::Failure(Token::kWrongMailingStatus);
  }
  if (std::find(m.list_ids.begin(), m.list_ids.end(), ctx.caller.list_id) == m.list_ids.end()) {
    return Reply::WrongTag(505);
  }

  store::NewMail mail;
  mail.client_id = client.id;
  mail.list_id = ctx.caller.list_id;
  mail.mailing_id = m.id;
  mail.recipient_id = address.str();
  mail.created_at = ctx.deps.clock.Now();
  auto sequence = ctx.deps.queue.Enqueue(mail);
  if (!sequence.ok()) return sequence.status();
  ctx.deps.notifier.Notify();
  return Reply::Success(Token::kEnqueued,
                        MailId::Make(client.id, *sequence, client.mail_id_secret).ToString());
}

}  // namespace campaignd::ops
