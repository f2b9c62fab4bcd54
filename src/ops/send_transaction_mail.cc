#include "ops/send_transaction_mail.h"

#include "auth/code_hash.h"
#include "ops/event_mailing.h"
#include "ops/field_input.h"
#include "ops/request_values.h"

namespace campaignd::ops {
namespace {

// The recipient's suppression at request time, as the processor judges it
// later (queue/processor.h): blocklist, unsubscribe, bounce limit.
Result<std::optional<Reply>> SuppressionReply(const Context& ctx, const Address& address) {
  const store::Client& client = ctx.caller.client;
  auto sup = ctx.deps.directory.CheckSuppression(client.id, ctx.caller.list_id, address.str());
  if (!sup.ok()) return sup.status();
  if (sup->blocked) return std::optional<Reply>(Reply::Failure(Token::kBlacklisted));
  if (sup->unsubscribed) return std::optional<Reply>(Reply::Failure(Token::kUnsubscribed));
  if (sup->hard_bounces >= client.bounce_limit) {
    return std::optional<Reply>(Reply::Failure(Token::kTooManyBounces));
  }
  return std::optional<Reply>();
}

// The upload bmPersonalizedAttachmentsToken names, as the key the mail
// carries (store/attachments.h kAttachmentsField); empty without a token;
// nullopt when the token is unknown, of another client or expired.
Result<std::optional<std::string>> AttachmentKey(const Context& ctx) {
  auto token = ctx.params.Get("bmPersonalizedAttachmentsToken");
  if (!token || token->empty()) return std::optional<std::string>(std::string());
  if (ctx.deps.attachments == nullptr) return Status::Internal("no attachment store wired");
  std::string key = auth::HashCode(*token);
  auto usable = ctx.deps.attachments->UploadUsable(ctx.caller.client.id, key, ctx.deps.clock.Now());
  if (!usable.ok()) return usable.status();
  if (!*usable) return std::optional<std::string>();
  return std::optional<std::string>(std::move(key));
}

}  // namespace

Result<Reply> SendTransactionMail(const Context& ctx) {
  const store::Client& client = ctx.caller.client;
  auto list = ctx.deps.directory.FindList(client.id, ctx.caller.list_id);
  if (!list.ok()) return list.status();
  if (!list->has_value() || (*list)->kind != store::ListKind::kTransaction) {
    return Reply::WrongTag(505);
  }
  if (!ctx.params.Has("bmMailingId")) return Reply::Failure(Token::kMissingId);
  auto recipient = RequestRecipient(ctx);
  if (auto* reply = std::get_if<Reply>(&recipient)) return *reply;
  const Address& address = std::get<Address>(recipient);
  // The new recipient record: every field parameter the list knows, typed.
  FieldValues fields;
  auto changes = FieldChanges(ctx.params, **list, /*allow_modifiers=*/false, /*sanitize=*/false);
  if (!changes.ok() || !ApplyFieldChanges(*changes, **list, fields).ok()) {
    return Reply::Failure(Token::kSyntaxError);
  }

  auto mailing = FindEventMailing(ctx);
  if (!mailing.ok()) return mailing.status();
  if (auto* reply = std::get_if<Reply>(&*mailing)) return *reply;
  auto suppressed = SuppressionReply(ctx, address);
  if (!suppressed.ok()) return suppressed.status();
  if (suppressed->has_value()) return **suppressed;
  auto key = AttachmentKey(ctx);
  if (!key.ok()) return key.status();
  if (!key->has_value()) return Reply::Failure(Token::kVetoed);
  if (!(*key)->empty()) fields[std::string(store::kAttachmentsField)] = **key;

  store::NewMail mail;
  mail.client_id = client.id;
  mail.list_id = ctx.caller.list_id;
  mail.mailing_id = std::get<store::Mailing>(*mailing).id;
  mail.recipient_id = address.str();
  mail.fields = std::move(fields);
  mail.created_at = ctx.deps.clock.Now();
  return EnqueueMail(ctx, mail);
}

}  // namespace campaignd::ops
