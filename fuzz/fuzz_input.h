// Shared helpers of the libFuzzer targets in fuzz/: splitting one fuzz input
// into the several strings a function under test takes, and a check that
// aborts (so libFuzzer records a crash) when an invariant fails.
// Callers: fuzz/*_fuzz.cc only. Input: raw fuzzer bytes. Threads: pure.
#ifndef CAMPAIGND_FUZZ_FUZZ_INPUT_H_
#define CAMPAIGND_FUZZ_FUZZ_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace campaignd::fuzz {

// `data` cut at the first `count - 1` occurrences of `separator`: always
// `count` pieces (missing ones empty); the last piece holds the rest,
// separators included.
inline std::vector<std::string_view> SplitInput(const uint8_t* data, std::size_t size,
                                                char separator, std::size_t count) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> pieces;
  while (pieces.size() + 1 < count) {
    std::size_t at = rest.find(separator);
    if (at == std::string_view::npos) break;
    pieces.push_back(rest.substr(0, at));
    rest.remove_prefix(at + 1);
  }
  pieces.push_back(rest);
  pieces.resize(count);
  return pieces;
}

// True when `s` contains no CR, LF or NUL.
inline bool HasNoLineBreak(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

}  // namespace campaignd::fuzz

// An invariant of the code under test: on failure print it and abort, which
// libFuzzer reports as a crash with the input that caused it.
#define FUZZ_CHECK(cond)                                                     \
  do {                                                                       \
    if (!(cond)) {                                                           \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                          \
    }                                                                        \
  } while (0)

#endif  // CAMPAIGND_FUZZ_FUZZ_INPUT_H_
