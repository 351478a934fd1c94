#include "symbolizer/rewriter/decode_stacktrace_line.h"

#include <string>

#include "gtest/gtest.h"

namespace ksym {
namespace {

// What the script prints for `line` when it finds no symbol to decode
// (nm lists none): its tokenizing alone. Each expectation below is what
// Debian linux-source-6.1's scripts/decode_stacktrace.sh printed for the
// same line, run with an object file that has none of these symbols.
std::string Undecoded(const std::string& line) {
  const DecodeStacktraceLine l = ReadAsDecodeStacktrace(line);
  return DecodeStacktraceOutput(l, l.stripped);
}

TEST(DecodeStacktraceLineTest, TokenizesAsTheScript) {
  EXPECT_EQ(Undecoded("[   12.345678]  ext4_fill_super+0x1c/0x40 [ext4]"),
            "[   12.345678] ext4_fill_super+0x1c/0x40 ext4");
  EXPECT_EQ(Undecoded("[<ffffffff8105b2e9>] ? init_once+0x12/0x40"),
            "? init_once+0x12/0x40 ");
  EXPECT_EQ(Undecoded(" [<ffffffff8105b2e9>] warn_slowpath_common+0x89/0xc0 "
                      "[ext4 8b2c2a4d0a4e6f3a9d1c7e5b3f20d1e6c4a9b7f1]"),
            "warn_slowpath_common+0x89/0xc0 ext4");
  EXPECT_EQ(Undecoded("RIP: 0010:init_once+0x12/0x40"),
            "RIP: init_once+0x12/0x40 ");
  EXPECT_EQ(Undecoded(" ? __die+0x23/0x70"), "? __die+0x23/0x70 ");
  EXPECT_EQ(Undecoded("  do_one_initcall+0x5b/0x320"),
            "do_one_initcall+0x5b/0x320 ");
  EXPECT_EQ(Undecoded("a\\b c\\\\d foo+0x1/0x2"), "ab cd foo+0x1/0x2 ");
  EXPECT_EQ(Undecoded(" (foo.cold+0x10/0x20)"), "foo.cold+0x10/0x20 ");
  EXPECT_EQ(Undecoded("[  1.5] x [<ffff>] bar+0x1/0x2 [m"),
            "[         1.5] x bar+0x1/0x2 [m ");
  EXPECT_EQ(Undecoded("x y+0x1/0x2 [m a]b]"), "x y+0x1/0x2 m");
}

TEST(DecodeStacktraceLineTest, EchoesLinesWithoutAFrame) {
  EXPECT_EQ(Undecoded("[12345.678901] Call Trace:"),
            "[12345.678901] Call Trace:");
  EXPECT_EQ(Undecoded("[   0.000000]   <TASK>"), "[   0.000000]   <TASK>");
  EXPECT_EQ(Undecoded("\ttab\t  both  "), "tab\t  both");
  EXPECT_EQ(Undecoded("hello world"), "hello world");
  EXPECT_FALSE(ReadAsDecodeStacktrace("foo+0x1/0xg").decoded);
  EXPECT_FALSE(ReadAsDecodeStacktrace(" +0x1/0x2").decoded);
  EXPECT_FALSE(ReadAsDecodeStacktrace("[<>]").decoded);
}

TEST(DecodeStacktraceLineTest, SplitsTheSymbol) {
  DecodeStacktraceLine l = ReadAsDecodeStacktrace(
      " [<ffffffff8105b2e9>] RIP: 0010:foo+0x1/0x2 "
      "[ext4 8b2c2a4d0a4e6f3a9d1c7e5b3f20d1e6c4a9b7f1]");
  ASSERT_TRUE(l.decoded);
  EXPECT_EQ(l.address, "ffffffff8105b2e9");
  EXPECT_EQ(l.segment, "0010:");
  EXPECT_EQ(l.stripped, "foo+0x1/0x2");
  EXPECT_EQ(l.name, "foo");
  EXPECT_EQ(l.module, "ext4");
  EXPECT_EQ(l.module_bracket,
            "[ext4 8b2c2a4d0a4e6f3a9d1c7e5b3f20d1e6c4a9b7f1]");
  EXPECT_EQ(DecodeStacktraceOutput(l, "0010:foo (fs/inode.c:1)"),
            "RIP: 0010:foo (fs/inode.c:1) ext4");
  // Two addresses: the script keeps neither, and neither is the frame's.
  l = ReadAsDecodeStacktrace("[<ffffffff81000001>] [<ffffffff81000002>] a+0x1/0x2");
  EXPECT_EQ(l.address, "");
  EXPECT_EQ(DecodeStacktraceOutput(l, "a (x.c:1)"), "a (x.c:1) ");
}

}  // namespace
}  // namespace ksym
