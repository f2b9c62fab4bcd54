// Authorization codes at rest: only HashCode(code) is stored, and a stored
// hash is compared with CodeHashEquals (constant time). See
// docs/decisions/0004-code-hashing.md for why SHA-256 (not a slow KDF).
// Threads: pure functions.
#ifndef CAMPAIGND_AUTH_CODE_HASH_H_
#define CAMPAIGND_AUTH_CODE_HASH_H_

#include <string>
#include <string_view>

namespace campaignd::auth {

// Lower-case hex SHA-256 of the code's bytes (64 characters).
std::string HashCode(std::string_view code);

// Constant-time equality of two hashes (length leaks, content does not).
bool CodeHashEquals(std::string_view a, std::string_view b);

// A new random code: 32 characters [A-Za-z0-9] (~190 bits) from the OS CSPRNG.
std::string GenerateCode();

// True when `code` may be used as an authorization code: 6..128 characters
// of [A-Za-z0-9-_.~] (URL path-safe without escaping).
bool IsValidCode(std::string_view code);

}  // namespace campaignd::auth

#endif  // CAMPAIGND_AUTH_CODE_HASH_H_
