// Lower-case hexadecimal text of bytes: the one way campaignd spells a hash,
// a MAC or a secret as hex (code hashes, webhook signatures and signing
// keys). Threads: pure functions.
#ifndef CAMPAIGND_CORE_HEX_H_
#define CAMPAIGND_CORE_HEX_H_

#include <string>
#include <string_view>

namespace campaignd {

// Two lower-case hex digits per byte of `bytes`, in order.
std::string HexLower(std::string_view bytes);

}  // namespace campaignd

#endif  // CAMPAIGND_CORE_HEX_H_
