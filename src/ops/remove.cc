#include "ops/remove.h"

#include "ops/recipient_op.h"
#include "ops/request_values.h"

namespace campaignd::ops {

Result<Reply> Remove(const Context& ctx) {
  auto recipient = RequestRecipient(ctx);
  if (auto* reply = std::get_if<Reply>(&recipient)) return *reply;
  const std::string id = std::get<Address>(recipient).str();
  bool deleted = false;
  Status written = ctx.deps.recipients.Write(ctx.caller.client.id, {id},
                                             [&](store::RecipientWrites& w) -> Status {
                                               auto done = w.Delete(ctx.caller.list_id, id);
                                               if (!done.ok()) return done.status();
                                               deleted = *done;
                                               return Status::Ok();
                                             });
  if (!written.ok()) return written;
  return deleted ? Reply::Success(Token::kOk) : VerboseOk(ctx, "not_found");
}

}  // namespace campaignd::ops
