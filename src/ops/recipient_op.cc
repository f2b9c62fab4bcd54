#include "ops/recipient_op.h"

#include "core/mail_id.h"

namespace campaignd::ops {

Result<std::variant<store::RecipientList, Reply>> TargetList(const Context& ctx) {
  using Target = std::variant<store::RecipientList, Reply>;
  auto list = ctx.deps.directory.FindList(ctx.caller.client.id, ctx.caller.list_id);
  if (!list.ok()) return list.status();
  if (!list->has_value()) return Target{Reply::WrongTag(505)};
  return Target{std::move(**list)};
}

Reply VerboseOk(const Context& ctx, std::string_view detail) {
  if (!ctx.params.GetBool("bmVerbose")) return Reply::Success(Token::kOk);
  return Reply::Success(Token::kOk, std::string(detail));
}

std::optional<auth::MailRef> AttributedMail(const Context& ctx) {
  if (ctx.caller.mail.has_value()) return ctx.caller.mail;
  auto text = ctx.params.Get("bmMailId");
  if (!text.has_value()) return std::nullopt;
  auto id = MailId::Parse(*text);
  const store::Client& client = ctx.caller.client;
  if (!id.ok() || id->client_id() != client.id || !id->Verify(client.mail_id_secret)) {
    return std::nullopt;
  }
  auto mail = ctx.deps.queue.FindMail(client.id, id->sequence());
  if (!mail.ok() || !mail->has_value()) return std::nullopt;
  return auth::MailRef{id->sequence(), (*mail)->mailing_id, (*mail)->recipient_id};
}

}  // namespace campaignd::ops
