#include "ops/blacklist.h"

#include <algorithm>

#include "core/address.h"
#include "ops/recipient_op.h"

namespace campaignd::ops {
namespace {

// The length limit of an address (RFC 5321), for patterns too.
constexpr std::size_t kMaxPatternBytes = 254;
constexpr std::string_view kDefaultReason = "http-api";

Result<Reply> Change(const Context& ctx, bool add) {
  auto text = ctx.params.Get("bmPattern");
  if (!text.has_value() || text->empty()) return Reply::Failure(Token::kMissingId);
  auto pattern = BlockPattern(*text);
  if (!pattern) return Reply::Failure(Token::kSyntaxError);
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

std::optional<std::string> BlockPattern(std::string_view pattern) {
  if (pattern.empty() || pattern.size() > kMaxPatternBytes) return std::nullopt;
  if (std::count(pattern.begin(), pattern.end(), '@') != 1) return std::nullopt;
  for (unsigned char c : pattern) {
    if (c <= ' ' || c == 0x7f) return std::nullopt;
  }
  if (pattern.find_first_of("*?") == std::string_view::npos) {
    auto address = Address::Parse(pattern, AddressLiterals::kAllow);  // blocks, never sends
    if (!address.ok()) return std::nullopt;
    return address->str();
  }
  return LowerAscii(pattern);
}

Result<Reply> Blacklist(const Context& ctx) { return Change(ctx, /*add=*/true); }
Result<Reply> Unblacklist(const Context& ctx) { return Change(ctx, /*add=*/false); }

}  // namespace campaignd::ops
