// DKIM canonicalization "relaxed" for header fields (RFC 6376 §3.4.2) and
// bodies (§3.4.4, as a stream, so the body hash is taken while the body is
// written), and the split of a message into its header fields and body that
// both need. Called by dkim.cc.
// Input: message bytes with CRLF line ends (RenderMessage output).
// Threads: pure functions; a RelaxedBodyStream belongs to one caller.
// Errors: InvalidArgument for a header line that is neither a field nor a
// continuation.
#ifndef CAMPAIGND_RENDER_DKIM_CANONICAL_H_
#define CAMPAIGND_RENDER_DKIM_CANONICAL_H_

#include <cstddef>
#include <functional>
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

// The relaxed canonical form of a body given in pieces: Update() with the
// bytes as they are produced, split anywhere (even inside a CRLF), then
// Finish() once. Trailing spaces and tabs of each line are removed, inner
// runs reduced to one space, empty lines held back until a line with
// content follows (so those at the end are removed), and a final CRLF is
// added when the last line has content (an empty body stays empty). A line
// ends only at CRLF; a bare CR or LF is content. The canonical bytes go to
// `sink` in pieces: mostly spans of the input as they are (a single space
// between words, line ends), so text that is canonical already costs one
// call per run of lines. A piece is valid only during its sink call.
class RelaxedBodyStream {
 public:
  using Sink = std::function<void(std::string_view)>;
  explicit RelaxedBodyStream(Sink sink) : sink_(std::move(sink)) {}
  void Update(std::string_view bytes);
  void Finish();

 private:
  void BeginContent();  // passes on the held empty lines and a pending space
  void EndLine();       // a CRLF outside a run passed on as it is

  Sink sink_;
  std::size_t held_lines_ = 0;  // empty lines not yet passed on
  bool pending_space_ = false;  // WSP seen after the last content of the line
  bool pending_cr_ = false;     // the last piece ended in CR
  bool line_has_content_ = false;
};

// The whole relaxed canonical body of `body` (RelaxedBodyStream in one piece).
std::string RelaxedBody(std::string_view body);

}  // namespace campaignd::render

#endif  // CAMPAIGND_RENDER_DKIM_CANONICAL_H_
