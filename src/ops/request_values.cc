#include "ops/request_values.h"

#include <charconv>

namespace campaignd::ops {

std::optional<int64_t> ParseId(std::string_view text) {
  int64_t value = 0;
  if (text.empty() || text.front() == '-' || text.front() == '+') return std::nullopt;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || p != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

std::variant<Address, Reply> RequestRecipient(const Context& ctx) {
  auto given = ctx.params.Get("bmRecipientId");
  if (ctx.caller.service == auth::Service::kMail) {
    // Stored, so checked when it came in.
    auto own = Address::Parse(ctx.caller.mail->recipient_id, AddressLiterals::kAllow);
    if (!own.ok()) return Reply::Failure(Token::kSyntaxError);
    if (given.has_value() && !given->empty()) {
      auto other = Address::Parse(*given, AddressLiterals::kAllow);
      if (!other.ok() || other->str() != own->str()) return Reply::Failure(Token::kSyntaxError);
    }
    return std::move(own).value();
  }
  if (!given.has_value() || given->empty()) return Reply::Failure(Token::kMissingId);
  auto address = Address::Parse(*given, ctx.deps.settings.address_literals);
  if (!address.ok()) return Reply::Failure(Token::kSyntaxError);
  return std::move(address).value();
}

}  // namespace campaignd::ops
