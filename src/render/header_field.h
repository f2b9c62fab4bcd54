// Header fields of a message (RFC 5322 §2.2, RFC 2047): folding at
// whitespace, RFC 2047 encoded words for non-ASCII text. The one place where
// header lines are written (design.md B5.4): every field of a rendered mail
// goes through FoldField, which refuses control characters in a value.
// Called by mailbox.cc, mime.cc, message.cc and dkim.cc.
// Threads: pure functions. Errors: InvalidArgument when a field cannot be
// written within RFC 5322 limits (a line over 998 octets, a control
// character in a value).
#ifndef CAMPAIGND_RENDER_HEADER_FIELD_H_
#define CAMPAIGND_RENDER_HEADER_FIELD_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace campaignd::render {

// Longest RFC 2047 encoded word, "=?UTF-8?B?...?=" included (RFC 2047 §2).
inline constexpr std::size_t kMaxEncodedWordChars = 75;

// "Name: value" + CRLF, folded (CRLF inserted before a space that follows a
// non-space) so that lines stay within limits::kFoldWidth where the value's
// spaces allow it. REQUIRES: `name` is a valid field name. InvalidArgument
// if `value` holds a control character (CR, LF, NUL, TAB, ... DEL) or a line
// would exceed limits::kMaxLineBytes.
Result<std::string> FoldField(std::string_view name, std::string_view value);

// An unstructured field (Subject, Feedback-ID): `text` sanitized
// (SanitizeHeaderText), trimmed, then written as it is when it is printable
// ASCII that folds within the limits and holds no "=?", else as RFC 2047
// encoded words (the whole text, UTF-8, B or Q, whichever is shorter).
Result<std::string> UnstructuredField(std::string_view name, std::string_view text);

// `text` as RFC 2047 encoded words "=?UTF-8?Q?...?=" or "=?UTF-8?B?...?=",
// separated by single spaces (which decoders drop: spaces of `text` are
// encoded inside the words). The first word is at most `first_word_chars`
// long (at least 24 are used), every other at most kMaxEncodedWordChars; no
// word splits a UTF-8 sequence. Q uses only the characters RFC 2047 §5(3)
// allows in a phrase, so the words are valid in display names as well.
std::string EncodeWords(std::string_view text, std::size_t first_word_chars);

// Room for the first encoded word on the line "Name: ...", for EncodeWords.
std::size_t FirstLineRoom(std::string_view name);

// True when `text` is printable ASCII (0x20..0x7E) and has no "=?", i.e.
// can stand in a header without RFC 2047 encoding.
bool IsPlainHeaderText(std::string_view text);

// `s` without leading and trailing spaces and tabs.
std::string_view TrimSpace(std::string_view s);

}  // namespace campaignd::render

#endif  // CAMPAIGND_RENDER_HEADER_FIELD_H_
