// Fuzz target: address validation (src/core/address.h): Address::Parse
// and the blocklist matcher MatchesPattern.
// Input: "ADDRESS\nPATTERN" (split at the first LF).
// Invariants: a parsed address has no CR/LF/NUL or space outside quotes in
// any form, stays within the RFC length limits, and parses again to itself
// from str() (normalisation is idempotent) and from ToAscii(). Parsed with
// literals allowed (to reach their code); refused without, unless no literal.
#include "core/address.h"
#include "core/limits.h"
#include "fuzz/fuzz_input.h"

using namespace campaignd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  auto in = fuzz::SplitInput(data, size, '\n', 2);
  Result<Address> address = Address::Parse(in[0], AddressLiterals::kAllow);
  (void)MatchesPattern(in[1], in[0]);
  if (!address.ok()) return 0;
  FUZZ_CHECK(Address::Parse(in[0]).ok() == (address->domain().front() != '['));
  FUZZ_CHECK(fuzz::HasNoLineBreak(address->str()));
  FUZZ_CHECK(fuzz::HasNoLineBreak(address->ToAscii()));
  FUZZ_CHECK(address->local_part().size() <= limits::kMaxLocalPartBytes);
  FUZZ_CHECK(address->domain_ascii().find_first_of(" \t<>,;") == std::string::npos);
  Result<Address> again = Address::Parse(address->str(), AddressLiterals::kAllow);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *address);
  Result<Address> ascii = Address::Parse(address->ToAscii(), AddressLiterals::kAllow);
  FUZZ_CHECK(ascii.ok());
  FUZZ_CHECK(ascii->ToAscii() == address->ToAscii());
  FUZZ_CHECK(MatchesPattern(address->str(), address->str()) ||
             address->str().find_first_of("*?") != std::string::npos);
  FUZZ_CHECK(MatchesPattern("*", address->str()));
  return 0;
}
