#include "ops/tracking_opt_out.h"

#include "ops/request_values.h"

namespace campaignd::ops {
namespace {

Result<Reply> SetTrackingOptOut(const Context& ctx, bool opt_out) {
  auto recipient = RequestRecipient(ctx);
  if (auto* reply = std::get_if<Reply>(&recipient)) return *reply;
  const std::string id = std::get<Address>(recipient).str();
  Reply reply = Reply::Success(Token::kOk);
  Status written = ctx.deps.recipients.Write(ctx.caller.client.id, {id},
                                             [&](store::RecipientWrites& w) -> Status {
                                               auto existing = w.Find(ctx.caller.list_id, id);
                                               if (!existing.ok()) return existing.status();
                                               if (!existing->has_value()) {
                                                 reply = Reply::Failure(Token::kNotFound);
                                                 return Status::Ok();
                                               }
                                               store::Recipient r = **existing;
                                               r.tracking_opt_out = opt_out;
                                               return w.Put(r);
                                             });
  if (!written.ok()) return written;
  return reply;
}

}  // namespace

Result<Reply> CreateTrackingOptOut(const Context& ctx) { return SetTrackingOptOut(ctx, true); }
Result<Reply> DeleteTrackingOptOut(const Context& ctx) { return SetTrackingOptOut(ctx, false); }

}  // namespace campaignd::ops
