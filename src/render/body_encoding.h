// Content transfer encodings for MIME bodies (RFC 2045 §6): line-end
// normalisation to CRLF, the 7bit test, quoted-printable and base64, and the
// byte-level piece every encoder of render/ shares (UTF-8 sequence lengths;
// the =XX / %XX escapes are core/percent_encoding.h). Called by mime.cc,
// header_field.cc, message.cc and dkim.cc.
// Threads: pure functions. Errors: none.
#ifndef CAMPAIGND_RENDER_BODY_ENCODING_H_
#define CAMPAIGND_RENDER_BODY_ENCODING_H_

#include <string>
#include <string_view>

#include "core/percent_encoding.h"

namespace campaignd::render {

// Longest encoded line of quoted-printable and base64 bodies (RFC 2045).
inline constexpr std::size_t kMaxEncodedLineChars = 76;

// `text` with every CRLF, bare CR and bare LF turned into CRLF, and a final
// CRLF added when `text` is non-empty and lacks one.
std::string NormalizeLineEnds(std::string_view text);

// True when CRLF-normalised `text` may be sent as 7bit: ASCII only, no
// control characters but TAB (and CRLF line ends), lines within
// limits::kMaxLineBytes.
bool Is7bit(std::string_view text);

// Quoted-printable (RFC 2045 §6.7) of CRLF-normalised `text`: CRLF stays a
// hard line break; encoded lines are at most kMaxEncodedLineChars long
// (soft breaks "=" CRLF), never splitting an =XX triplet or a UTF-8
// sequence; space and TAB before a line end are encoded.
std::string EncodeQuotedPrintable(std::string_view text);

// Base64 of `data` in one line (no line breaks).
std::string EncodeBase64(std::string_view data);

// Base64 of `data` in lines of kMaxEncodedLineChars, each ending in CRLF.
std::string EncodeBase64Lines(std::string_view data);

// Bytes of the UTF-8 sequence starting at s[i]: its lead byte and the
// continuation bytes that follow (1 for a stray byte, so malformed input
// is still consumed byte by byte). REQUIRES: i < s.size().
std::size_t Utf8SequenceBytes(std::string_view s, std::size_t i);

}  // namespace campaignd::render

#endif  // CAMPAIGND_RENDER_BODY_ENCODING_H_
