#include "ops/send_event_mail.h"

#include "ops/event_mailing.h"
#include "ops/request_values.h"

namespace campaignd::ops {

Result<Reply> SendEventMail(const Context& ctx) {
  if (!ctx.params.Has("bmMailingId")) return Reply::Failure(Token::kMissingId);
  auto recipient = RequestRecipient(ctx);
  if (auto* reply = std::get_if<Reply>(&recipient)) return *reply;
  const Address& address = std::get<Address>(recipient);

  auto mailing = FindEventMailing(ctx);
  if (!mailing.ok()) return mailing.status();
  if (auto* reply = std::get_if<Reply>(&*mailing)) return *reply;
  const store::Mailing& m = std::get<store::Mailing>(*mailing);

  store::NewMail mail;
  mail.client_id = ctx.caller.client.id;
  mail.list_id = ctx.caller.list_id;
  mail.mailing_id = m.id;
  mail.recipient_id = address.str();
  mail.created_at = ctx.deps.clock.Now();
  return EnqueueMail(ctx, mail);
}

}  // namespace campaignd::ops
