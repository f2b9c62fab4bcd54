// createtrackingoptout and deletetrackingoptout (form, mail; behaviour.md
// §3): set or clear the tracking opt-out of the recipient of the code's
// (or mail's) list. Tokens: missing_id, syntax_error, not_found, ok.
#ifndef CAMPAIGND_OPS_TRACKING_OPT_OUT_H_
#define CAMPAIGND_OPS_TRACKING_OPT_OUT_H_

#include "ops/operation.h"

namespace campaignd::ops {

Result<Reply> CreateTrackingOptOut(const Context& ctx);
Result<Reply> DeleteTrackingOptOut(const Context& ctx);

}  // namespace campaignd::ops

#endif  // CAMPAIGND_OPS_TRACKING_OPT_OUT_H_
