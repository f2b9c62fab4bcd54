// Byte escapes shared by every encoder: percent-encoding (RFC 3986 §2.1) for
// URLs, paths and RFC 2231 parameter values, and the "=XX" / "%XX" triplet
// itself (quoted-printable uses it too). Callers: http/redirect.cc (bmResult),
// render (List-Unsubscribe, opt-in URLs, MIME parameters, QP), deliver (the
// EHLO name in libcurl's URL), the admin CLI (path segments, query values).
// Threads: pure functions. Errors: none.
#ifndef CAMPAIGND_CORE_PERCENT_ENCODING_H_
#define CAMPAIGND_CORE_PERCENT_ENCODING_H_

#include <string>
#include <string_view>

namespace campaignd {

// The marks of RFC 3986 "unreserved" (with letters and digits).
inline constexpr std::string_view kUnreservedMarks = "-._~";
// The characters a whole URL keeps as they are (RFC 3986 unreserved,
// reserved and '%'): everything else (CR, LF, space, '<', '>', '"',
// non-ASCII) becomes %XX, so the URL fits in a header or between <...>.
inline constexpr std::string_view kUrlMarks = "-._~:/?#[]@!$&'()*+,;=%";

// Appends `marker` and the byte's two upper-case hex digits ("=3D", "%0D").
void AppendHexEscape(char byte, char marker, std::string* out);

// `text` with every byte other than ASCII letters, digits and the characters
// in `keep` written as %XX (upper-case hex). The default keeps exactly RFC
// 3986 "unreserved".
std::string PercentEncode(std::string_view text, std::string_view keep = kUnreservedMarks);

}  // namespace campaignd

#endif  // CAMPAIGND_CORE_PERCENT_ENCODING_H_
