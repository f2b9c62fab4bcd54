// Reading structured header values: the media type of a Content-Type and
// the parameters of a Content-Type or Content-Disposition
// (`form-data; name="a"; filename="b.pdf"`, RFC 9110 §5.6.6, RFC 7578).
// Callers: http/request.cc, http/multipart.cc. Input: untrusted header text.
// Threads: pure functions. Errors: none; absent or broken parts are nullopt.
#ifndef CAMPAIGND_HTTP_HEADER_VALUE_H_
#define CAMPAIGND_HTTP_HEADER_VALUE_H_

#include <optional>
#include <string>
#include <string_view>

namespace campaignd::http {

// The part before the first ';', trimmed and ASCII lower-cased:
// "Multipart/Form-Data; boundary=x" -> "multipart/form-data".
std::string MediaType(std::string_view header_value);

// The value of parameter `name` (ASCII case-insensitive) after the first
// ';', unquoted (a quoted-string may contain ';' and backslash escapes).
// nullopt when absent or when its quoted-string is not closed.
std::optional<std::string> HeaderParam(std::string_view header_value, std::string_view name);

// ASCII case-insensitive equality.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace campaignd::http

#endif  // CAMPAIGND_HTTP_HEADER_VALUE_H_
