#include "symbolizer/names/printable.h"

#include <string>

#include "gtest/gtest.h"

namespace ksym {
namespace {

TEST(PrintableTest, KeepsPrintableAsciiAndUtf8) {
  EXPECT_TRUE(IsPrintable("init_once [fat] {fs/inode.o}"));
  EXPECT_EQ(EscapeUnprintable("init_once"), "init_once");
  EXPECT_EQ(EscapeUnprintable("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

TEST(PrintableTest, EscapesControlBytesAndBackslash) {
  EXPECT_FALSE(IsPrintable("a\x1b]0;pwned\x07"));
  EXPECT_EQ(EscapeUnprintable("a\x1b]0;pwned\x07"), "a\\x1b]0;pwned\\x07");
  EXPECT_EQ(EscapeUnprintable("a\nb\tc\x7f"), "a\\x0ab\\x09c\\x7f");
  EXPECT_EQ(EscapeUnprintable(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(EscapeUnprintable("a\\x1b"), "a\\x5cx1b");  // reversible
}

TEST(PrintableTest, EscapesBytesThatAreNotUtf8) {
  EXPECT_EQ(EscapeUnprintable("bad\xff\xfeutf"), "bad\\xff\\xfeutf");
  EXPECT_EQ(EscapeUnprintable("\x80"), "\\x80");           // lone continuation
  EXPECT_EQ(EscapeUnprintable("\xc3"), "\\xc3");           // cut sequence
  EXPECT_EQ(EscapeUnprintable("\xc3(x"), "\\xc3(x");       // bad continuation
  EXPECT_EQ(EscapeUnprintable("\xc0\xaf"), "\\xc0\\xaf");  // overlong '/'
  EXPECT_EQ(EscapeUnprintable("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");
  EXPECT_EQ(EscapeUnprintable("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
  EXPECT_EQ(EscapeUnprintable("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
}

TEST(PrintableTest, EscapesC1ControlsEncodedAsUtf8) {
  // U+009B is CSI: some terminals act on it like ESC [.
  EXPECT_EQ(EscapeUnprintable("a\xc2\x9b""2J"), "a\\xc2\\x9b2J");
  EXPECT_EQ(EscapeUnprintable("\xc2\xa0"), "\xc2\xa0");  // U+00A0 is kept
}

TEST(PrintableTest, QuoteBoundedEscapesQuotesAndCuts) {
  EXPECT_EQ(QuoteBounded("say \"hi\"", 100), "say \\x22hi\\x22");
  EXPECT_EQ(QuoteBounded("x\x1b[2J", 100), "x\\x1b[2J");
  EXPECT_EQ(QuoteBounded(std::string(300, 'a'), 200),
            std::string(200, 'a') + "... (300 bytes)");
  EXPECT_EQ(QuoteBounded("abc", 3), "abc");
}

}  // namespace
}  // namespace ksym
