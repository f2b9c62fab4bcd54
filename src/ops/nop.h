// nop (form and mail service): does nothing; answers `ok` once
// authorization passed, so a client can test a code or a redirect.
#ifndef CAMPAIGND_OPS_NOP_H_
#define CAMPAIGND_OPS_NOP_H_

#include "ops/operation.h"

namespace campaignd::ops {

Result<Reply> Nop(const Context& ctx);

}  // namespace campaignd::ops

#endif  // CAMPAIGND_OPS_NOP_H_
