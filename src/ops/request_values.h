// Typed readers of request parameters shared by the operations: the
// recipient an operation acts on (form: bmRecipientId; mail: the mail's
// recipient) and numeric IDs. Parse, don't re-check: they return typed
// values or the token the operation answers.
#ifndef CAMPAIGND_OPS_REQUEST_VALUES_H_
#define CAMPAIGND_OPS_REQUEST_VALUES_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "core/address.h"
#include "core/token.h"
#include "ops/operation.h"

namespace campaignd::ops {

// A positive decimal integer (no sign, no spaces, fits int64), else nullopt.
std::optional<int64_t> ParseId(std::string_view text);

// The recipient of this request. Form service: bmRecipientId (missing ->
// missing_id, invalid or an address literal the settings refuse ->
// syntax_error). Mail service: the mail's recipient; a given bmRecipientId
// must name the same address, else syntax_error.
std::variant<Address, Reply> RequestRecipient(const Context& ctx);

}  // namespace campaignd::ops

#endif  // CAMPAIGND_OPS_REQUEST_VALUES_H_
