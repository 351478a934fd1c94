#include "symbolizer/sources/strict_text.h"

#include "gtest/gtest.h"

namespace ksym {
namespace {

TEST(StrictTextTest, HexDigitsOnly) {
  uint64_t v = 7;
  EXPECT_TRUE(ParseHexDigits("ffffffff81000000", &v));
  EXPECT_EQ(v, 0xffffffff81000000u);
  EXPECT_TRUE(ParseHexDigits("aBc", &v));
  EXPECT_EQ(v, 0xabcu);
  for (const char* bad : {"", "0x1", "+1", "-1", " 1", "1 ", "g",
                          "11111111111111111", "1\n"}) {
    EXPECT_FALSE(ParseHexDigits(bad, &v)) << bad;
  }
}

TEST(StrictTextTest, PrefixedHexRefusesASecondPrefix) {
  uint64_t v = 0;
  EXPECT_TRUE(ParsePrefixedHex("0x10", &v));
  EXPECT_EQ(v, 16u);
  EXPECT_TRUE(ParsePrefixedHex("0X10", &v));
  for (const char* bad : {"0x0x1", "0x", "10", "0x-1", "0x 1", "0x+1"}) {
    EXPECT_FALSE(ParsePrefixedHex(bad, &v)) << bad;
  }
  EXPECT_TRUE(ParseOptionallyPrefixedHex("10", &v));
  EXPECT_TRUE(ParseOptionallyPrefixedHex("0x10", &v));
  EXPECT_FALSE(ParseOptionallyPrefixedHex("0x0x1", &v));
  EXPECT_FALSE(ParseOptionallyPrefixedHex("0x", &v));
}

TEST(StrictTextTest, Utf8) {
  EXPECT_EQ(FirstInvalidUtf8("f\xc3\xbcnf_\xc3\x9f"), absl::string_view::npos);
  EXPECT_EQ(FirstInvalidUtf8("ab\xff"), 2u);
  EXPECT_EQ(FirstInvalidUtf8("\xc0\xaf"), 0u);        // overlong '/'
  EXPECT_EQ(FirstInvalidUtf8("x\xed\xa0\x80"), 1u);   // surrogate
  EXPECT_EQ(FirstInvalidUtf8("\xe2\x82"), 0u);        // cut short
  EXPECT_EQ(FirstInvalidUtf8("\xf4\x90\x80\x80"), 0u);  // above U+10FFFF
}

TEST(StrictTextTest, BlankOrControl) {
  EXPECT_FALSE(HasBlankOrControl("init_once.constprop.0"));
  EXPECT_FALSE(HasBlankOrControl("caf\xc3\xa9"));
  EXPECT_FALSE(HasBlankOrControl(""));
  for (const char* bad : {"a b", "a\tb", "a\nb", "\x7f", "\x01x"}) {
    EXPECT_TRUE(HasBlankOrControl(bad)) << bad;
  }
  EXPECT_TRUE(HasBlankOrControl(absl::string_view("a\0b", 3)));
}

}  // namespace
}  // namespace ksym
