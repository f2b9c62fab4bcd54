// LogText: untrusted text (an SMTP relay's reply, a recipient address, a
// User-Agent, a reason, an error message quoting input) made safe to put
// into one log line, so that it can neither end the line nor close the
// quotes around it and forge fields or lines of its own. The escapes are
// those of a JSON string, so the text stays valid inside log_format=json's
// "msg" as well: backslash and double quote are escaped, CR/LF/TAB become
// \r \n \t, every other C0 control, DEL, the C1 controls (U+0080..U+009F)
// and U+2028/U+2029 become \u00XX / \u2028 / \u2029, and a byte that is not
// part of valid UTF-8 becomes \u00XX (the byte read as Latin-1). Everything
// else (spaces, printable ASCII, valid UTF-8) stays as it is.
// Callers: every log line that prints text a client, a recipient or a
// relay chose. Threads: pure function. Errors: none.
#ifndef CAMPAIGND_CORE_LOG_TEXT_H_
#define CAMPAIGND_CORE_LOG_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "core/limits.h"

namespace campaignd {

// `text` escaped as above; at most `max_bytes` of it (cut at a character
// boundary), followed by "...(N more bytes)" when it was longer.
std::string LogText(std::string_view text, std::size_t max_bytes = limits::kMaxLoggedTextBytes);

}  // namespace campaignd

#endif  // CAMPAIGND_CORE_LOG_TEXT_H_
