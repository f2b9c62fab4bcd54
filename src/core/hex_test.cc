// core/hex.h: every byte value as two lower-case digits, in order.
#include "core/hex.h"

#include <gtest/gtest.h>

namespace campaignd {
namespace {

TEST(HexTest, TwoLowerCaseDigitsPerByte) {
  EXPECT_EQ(HexLower(""), "");
  EXPECT_EQ(HexLower(std::string_view("\0\x01\x7f\x80\xfe\xff", 6)), "00017f80feff");
  EXPECT_EQ(HexLower("AZ"), "415a");
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  const std::string hex = HexLower(all);
  ASSERT_EQ(hex.size(), 512u);
  EXPECT_EQ(hex.substr(0, 8), "00010203");
  EXPECT_EQ(hex.substr(0x9a * 2, 2), "9a");
  EXPECT_EQ(hex.substr(504), "fcfdfeff");
}

}  // namespace
}  // namespace campaignd
