#include "ops/blacklist.h"

#include "core/address.h"
#include "ops/recipient_op.h"

namespace campaignd::ops {
namespace {

constexpr std::string_view kDefaultReason = "http-api";

Result<Reply> Change(const Context& ctx, bool add) {
  auto text = ctx.params.Get("bmPattern");
  if (!text.has_value() || text->empty()) return Reply::Failure(Token::kMissingId);
  Result<std::string> pattern = ParseBlockPattern(*text, /*for_removal=*/!add);
  if (!pattern.ok()) return Reply::Failure(Token::kSyntaxError);
  store::BlockEntry entry{*pattern, std::string(kDefaultReason)};
  if (auto reason = ctx.params.Get("bmReason"); reason && !reason->empty()) {
    entry.reason = std::string(*reason);
  }
  bool changed = false;
  Status written = ctx.deps.recipients.Write(
      ctx.caller.client.id, {entry.pattern}, [&](store::RecipientWrites& w) -> Status {
        auto done = add ? w.AddBlock(entry) : w.RemoveBlock(entry.pattern);
        if (!done.ok()) return done.status();
        changed = *done;
        return Status::Ok();
      });
  if (!written.ok()) return written;
  if (changed) return Reply::Success(Token::kOk);
  return VerboseOk(ctx, add ? "already_blacklisted" : "not_found");
}

}  // namespace

Result<Reply> Blacklist(const Context& ctx) { return Change(ctx, /*add=*/true); }
Result<Reply> Unblacklist(const Context& ctx) { return Change(ctx, /*add=*/false); }

}  // namespace campaignd::ops
