#include "ops/copy_move.h"

#include "ops/recipient_op.h"
#include "ops/request_values.h"

namespace campaignd::ops {
namespace {

Result<Reply> CopyOrMove(const Context& ctx, bool move) {
  if (!ctx.params.Has("bmListId")) return Reply::Failure(Token::kMissingId);
  auto recipient = RequestRecipient(ctx);
  if (auto* reply = std::get_if<Reply>(&recipient)) return *reply;
  const std::string id = std::get<Address>(recipient).str();
  auto target_id = ParseId(*ctx.params.Get("bmListId"));
  if (!target_id) return Reply::Failure(Token::kWrongId);
  auto target = ctx.deps.directory.FindList(ctx.caller.client.id, *target_id);
  if (!target.ok()) return target.status();
  if (!target->has_value()) return Reply::Failure(Token::kWrongId);
  const store::RecipientList& to = **target;
  const int64_t from = ctx.caller.list_id;

  Reply reply = Reply::Success(Token::kOk);
  Status written = ctx.deps.recipients.Write(
      ctx.caller.client.id, {id}, [&](store::RecipientWrites& w) -> Status {
        auto source = w.Find(from, id);
        if (!source.ok()) return source.status();
        auto existing = w.Find(to.id, id);
        if (!existing.ok()) return existing.status();
        if (!source->has_value() && !existing->has_value()) {
          reply = Reply::Failure(Token::kNotFound);
          return Status::Ok();
        }
        if (existing->has_value()) {
          reply = VerboseOk(ctx, "already_exist");
        } else {
          store::Recipient copy = **source;
          copy.list_id = to.id;
          copy.fields.clear();
          for (const store::FieldDef& f : to.fields) {
            if (auto it = (*source)->fields.find(f.name); it != (*source)->fields.end()) {
              copy.fields.insert(*it);
            }
          }
          CAMPAIGND_RETURN_IF_ERROR(w.Put(copy));
        }
        if (!move || !source->has_value() || from == to.id) return Status::Ok();
        return w.Delete(from, id).status();
      });
  if (!written.ok()) return written;
  return reply;
}

}  // namespace

Result<Reply> Copy(const Context& ctx) { return CopyOrMove(ctx, /*move=*/false); }
Result<Reply> Move(const Context& ctx) { return CopyOrMove(ctx, /*move=*/true); }

}  // namespace campaignd::ops
