#include "ops/unsubscribe.h"

#include "ops/recipient_op.h"
#include "ops/request_values.h"

namespace campaignd::ops {
namespace {

// Deletes `id` from every list of the client but test and transaction
// lists; whether it was in any list at all.
Result<bool> RemoveEverywhere(store::RecipientWrites& w, const std::string& id) {
  auto all = w.ListsOf(id, /*ordinary_only=*/false);
  if (!all.ok()) return all.status();
  auto ordinary = w.ListsOf(id, /*ordinary_only=*/true);
  if (!ordinary.ok()) return ordinary.status();
  for (int64_t list_id : *ordinary) {
    auto deleted = w.Delete(list_id, id);
    if (!deleted.ok()) return deleted.status();
  }
  return !all->empty();
}

}  // namespace

Result<Reply> Unsubscribe(const Context& ctx) {
  auto recipient = RequestRecipient(ctx);
  if (auto* reply = std::get_if<Reply>(&recipient)) return *reply;
  const std::string id = std::get<Address>(recipient).str();
  const int64_t list_id = ctx.caller.list_id;
  const bool remove = ctx.params.GetBool("bmRemoveId");
  store::Unsubscribe record{id, 0, 0, ctx.deps.clock.Now()};
  record.list_id = list_id;
  // RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the
  // List-Unsubscribe URL (behaviour.md §4.3).
  const auto one_click = ctx.params.Get("List-Unsubscribe");
  record.source = one_click && *one_click == "One-Click" ? "oneclick" : "http";
  if (auto mail = AttributedMail(ctx); mail && mail->recipient_id == id) {
    record.mail_id = mail->mail_id;
    record.mailing_id = mail->mailing_id;
  }

  Reply reply = Reply::Success(Token::kOk);
  Status written = ctx.deps.recipients.Write(ctx.caller.client.id, {id},
                                             [&](store::RecipientWrites& w) -> Status {
                                               auto sup = w.CheckSuppression(list_id, id);
                                               if (!sup.ok()) return sup.status();
                                               // Already unsubscribed: nothing changes, not even
                                               // bmRemoveId.
                                               if (sup->unsubscribed) {
                                                 reply = VerboseOk(ctx, "already_unsubscribed");
                                                 return Status::Ok();
                                               }
                                               auto existing = w.Find(list_id, id);
                                               if (!existing.ok()) return existing.status();
                                               if (existing->has_value()) {
                                                 store::Recipient r = **existing;
                                                 r.state = store::RecipientState::kUnsubscribed;
                                                 CAMPAIGND_RETURN_IF_ERROR(w.Put(r));
                                               }
                                               CAMPAIGND_RETURN_IF_ERROR(w.AddUnsubscribe(record));
                                               if (!remove) return Status::Ok();
                                               auto found = RemoveEverywhere(w, id);
                                               if (!found.ok()) return found.status();
                                               if (!*found) reply = VerboseOk(ctx, "not_found");
                                               return Status::Ok();
                                             });
  if (!written.ok()) return written;
  return reply;
}

}  // namespace campaignd::ops
