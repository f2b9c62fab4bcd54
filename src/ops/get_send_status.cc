#include "ops/get_send_status.h"

#include "core/mail_id.h"

namespace campaignd::ops {

Result<Reply> GetSendStatus(const Context& ctx) {
  auto text = ctx.params.Get("bmMailId");
  if (!text.has_value() || text->empty()) return Reply::Failure(Token::kMissingId);
  const store::Client& client = ctx.caller.client;
  auto id = MailId::Parse(*text);
  if (!id.ok() || id->client_id() != client.id || !id->Verify(client.mail_id_secret)) {
    return Reply::Failure(Token::kSyntaxError);
  }
  auto mail = ctx.deps.queue.FindMail(client.id, id->sequence());
  if (!mail.ok()) return mail.status();
  // A genuine ID (the MAC proves we issued it) whose mail is no longer stored
  // is past retention: "enqueued" is the documented default.
  if (!mail->has_value()) return Reply::Success(Token::kEnqueued);
  const store::Mail& m = **mail;
  if (m.list_id != ctx.caller.list_id) return Reply::WrongTag(505);
  if (ctx.deps.clock.Now() - m.created_at > ctx.deps.settings.status_retention) {
    return Reply::Success(Token::kEnqueued);
  }
  return Reply::Success(MailStatusToken(m.status));
}

}  // namespace campaignd::ops
