#include "auth/code_hash.h"

#include <gtest/gtest.h>

#include <set>

namespace campaignd::auth {
namespace {

TEST(CodeHashTest, IsHexSha256) {
  // sha256("abc"), computed independently with `printf abc | sha256sum`.
  EXPECT_EQ(HashCode("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HashCode("DHS45MDL2").size(), 64u);
  EXPECT_NE(HashCode("DHS45MDL2"), HashCode("dhs45mdl2"));
}

TEST(CodeHashTest, EqualityIsExact) {
  EXPECT_TRUE(CodeHashEquals(HashCode("x"), HashCode("x")));
  EXPECT_FALSE(CodeHashEquals(HashCode("x"), HashCode("y")));
  EXPECT_FALSE(CodeHashEquals("abc", "abcd"));
}

TEST(CodeHashTest, GeneratedCodesAreValidAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string code = GenerateCode();
    EXPECT_EQ(code.size(), 32u);
    EXPECT_TRUE(IsValidCode(code)) << code;
    seen.insert(code);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(CodeHashTest, ValidCodeShapes) {
  for (const char* ok : {"DHS45MDL2", "SDGF-GH2-123S", "1UXR6ED-1V46OJK-XEH1BFX", "a_b.c~d"}) {
    EXPECT_TRUE(IsValidCode(ok)) << ok;
  }
  for (const char* bad : {"", "short", "has space", "new\nline", "slash/x", "pct%20x",
                          "umläut-code"}) {
    EXPECT_FALSE(IsValidCode(bad)) << bad;
  }
  EXPECT_TRUE(IsValidCode(std::string(128, 'A')));
  EXPECT_FALSE(IsValidCode(std::string(129, 'A')));
}

}  // namespace
}  // namespace campaignd::auth
