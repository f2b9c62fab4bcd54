// Small text helpers of the report parser and the classifier (private to
// events/): ASCII case folding, searching, and the one cleaning of every
// string an InboundReport holds. Input: untrusted bytes. Threads: pure.
#ifndef CAMPAIGND_EVENTS_TEXT_H_
#define CAMPAIGND_EVENTS_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace campaignd::events {

inline char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
std::string Lowered(std::string_view s);
bool EqualsIgnoringCase(std::string_view a, std::string_view b);
// Position of `needle` (lower-case ASCII) in `haystack` in any case, or npos.
std::size_t FindIgnoringCase(std::string_view haystack, std::string_view needle,
                             std::size_t from = 0);
inline bool ContainsIgnoringCase(std::string_view haystack, std::string_view needle) {
  return FindIgnoringCase(haystack, needle) != std::string_view::npos;
}
bool StartsWithIgnoringCase(std::string_view s, std::string_view prefix);
std::string_view TrimSpace(std::string_view s);

// The one form of a string in an InboundReport: every control character
// (C0, DEL) and every byte that is not valid UTF-8 becomes a space, runs of
// spaces become one, the ends are trimmed, and the result is cut to at most
// `max_bytes` at a character boundary.
std::string CleanField(std::string_view text, std::size_t max_bytes);

// The next line of `text` from `*pos` (without CR/LF); advances `*pos`
// past it. REQUIRES: *pos < text.size().
std::string_view NextLine(std::string_view text, std::size_t* pos);

}  // namespace campaignd::events

#endif  // CAMPAIGND_EVENTS_TEXT_H_
