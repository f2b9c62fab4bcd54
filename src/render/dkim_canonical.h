// DKIM canonicalization "relaxed" for header fields (RFC 6376 §3.4.2) and
// bodies (§3.4.4), and the split of a message into its header fields and
// body that both need. Called by dkim.cc.
// Input: message bytes with CRLF line ends (RenderMessage output).
// Threads: pure functions. Errors: InvalidArgument for a header line that
// is neither a field nor a continuation.
#ifndef CAMPAIGND_RENDER_DKIM_CANONICAL_H_
#define CAMPAIGND_RENDER_DKIM_CANONICAL_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace campaignd::render {

struct RawHeaderField {
  std::string_view name;  // as written, without the colon
  std::string_view raw;   // the whole field with its folding, without the final CRLF
};

struct MessageParts {
  std::vector<RawHeaderField> fields;  // in message order
  std::string_view body;               // everything after the empty line
};

// Splits `message` at the first empty line. Views point into `message`.
Result<MessageParts> SplitMessage(std::string_view message);

// "name:value" + CRLF: name lower-cased, the value unfolded, runs of spaces
// and tabs reduced to one space, spaces around the colon and at the end
// removed. `raw` is one field as in RawHeaderField::raw.
std::string RelaxedHeader(std::string_view raw);

// The body with trailing spaces and tabs of each line removed, inner runs
// reduced to one space, empty lines at the end removed, and a final CRLF
// when anything is left (an empty body stays empty).
std::string RelaxedBody(std::string_view body);

}  // namespace campaignd::render

#endif  // CAMPAIGND_RENDER_DKIM_CANONICAL_H_
