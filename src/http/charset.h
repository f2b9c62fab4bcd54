// Charset: turns the bytes of a request value into UTF-8 (behaviour.md §2
// "Charset"). Own small tables, no iconv: UTF-8, ISO-8859-1, windows-1252.
// Callers: http/request.cc (values, names, file names of one request).
// Input: untrusted bytes of any length. Threads: pure functions.
// Errors: none; bytes that are invalid in the named charset become U+FFFD.
#ifndef CAMPAIGND_HTTP_CHARSET_H_
#define CAMPAIGND_HTTP_CHARSET_H_

#include <optional>
#include <string>
#include <string_view>

namespace campaignd::http {

enum class Charset { kUtf8, kIso88591, kWindows1252 };

// The charset a label names ("utf-8", "UTF8", "latin1", "cp1252", ...;
// ASCII case-insensitive, surrounding blanks and quotes ignored); nullopt
// for a label we do not support.
std::optional<Charset> ParseCharsetName(std::string_view label);

// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates,
// nothing above U+10FFFF).
bool IsValidUtf8(std::string_view bytes);

// `bytes` decoded as `charset`, re-encoded as UTF-8. Ill-formed UTF-8
// sequences become U+FFFD; the single-byte charsets map every byte.
std::string ToUtf8(std::string_view bytes, Charset charset);

// The rule for values without bmEncoding: unchanged when valid UTF-8, else
// decoded as ISO-8859-1.
std::string ToUtf8Guessing(std::string_view bytes);

}  // namespace campaignd::http

#endif  // CAMPAIGND_HTTP_CHARSET_H_
