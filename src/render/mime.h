// MIME assembly (RFC 2045, 2046, 2183, 2231): leaf parts for text, HTML and
// attachments, multipart containers, and the serialisation of a part tree
// below a block of top-level header lines, with boundaries that are random
// (OpenSSL RAND) or derived from a seed (golden tests).
// Called by message.cc. Input: bodies and attachment metadata are untrusted
// (file names and content types are sanitized here).
// Threads: pure functions; a BoundaryMaker belongs to one caller.
// Errors: Internal when the CSPRNG fails; InvalidArgument from FoldField.
#ifndef CAMPAIGND_RENDER_MIME_H_
#define CAMPAIGND_RENDER_MIME_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "render/message.h"

namespace campaignd::render {

struct MimePart {
  // Leaf: full Content-Type value, Content-Transfer-Encoding and the body
  // already encoded (CRLF lines, ending in CRLF unless empty).
  // Multipart: content_type is "multipart/<subtype>"; children non-empty.
  std::string content_type;
  std::string transfer_encoding;  // "7bit", "quoted-printable", "base64"; "" for multipart
  std::string disposition;        // Content-Disposition value, "" for none
  std::string encoded_body;
  std::vector<MimePart> children;
};

// A text/<subtype>; charset=utf-8 part: line ends normalised to CRLF, 7bit
// when Is7bit, else quoted-printable. REQUIRES: subtype "plain" or "html".
MimePart TextPart(std::string_view subtype, std::string_view text);

// An attachment part: base64, the content type reduced to a valid
// "type/subtype" (else application/octet-stream), the file name stripped of
// controls and directories and written as filename="..." or, when not
// short printable ASCII, with RFC 2231 (continuations, UTF-8, %XX).
MimePart AttachmentPart(const Attachment& attachment);

// A multipart/<subtype> container. REQUIRES: parts non-empty.
MimePart MultipartPart(std::string_view subtype, std::vector<MimePart> parts);

// Makes MIME boundaries: from the seed when it is non-empty (the same seed
// gives the same boundaries), else from RAND_bytes. Boundaries start with
// "=_", which never occurs in quoted-printable or base64 text.
class BoundaryMaker {
 public:
  explicit BoundaryMaker(std::string seed) : seed_(std::move(seed)) {}
  Result<std::string> Next();

 private:
  std::string seed_;
  int count_ = 0;
};

// `top_headers` (complete folded header lines) followed by the part's own
// Content-* headers, the empty line and the body: a whole message. Each
// piece of the body (after that empty line) goes to `body_sink` too, in
// order, right after it is appended, when a sink is given (RenderMessage
// hashes it for DKIM).
Result<std::string> SerializeMessage(std::string_view top_headers, const MimePart& root,
                                     BoundaryMaker& boundaries,
                                     const std::function<void(std::string_view)>& body_sink = {});

}  // namespace campaignd::render

#endif  // CAMPAIGND_RENDER_MIME_H_
