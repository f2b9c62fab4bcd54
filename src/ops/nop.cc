#include "ops/nop.h"

namespace campaignd::ops {

Result<Reply> Nop(const Context&) { return Reply::Success(Token::kOk); }

}  // namespace campaignd::ops
