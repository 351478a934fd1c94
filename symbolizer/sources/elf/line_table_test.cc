#include "symbolizer/sources/elf/line_table.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

MATCHER_P4(Frame, function, file, line, column, "") {
  return arg.function == function && arg.file == file && arg.line == line &&
         arg.column == column;
}

// f at 0x1000 (0x40 bytes): rows at +0 (a.c:10), +0x10 (h.h:3:5), +0x30
// (a.c:12). Inlined: outer (from a.c:11:2) over [0x10, 0x30) holding inner
// (from h.h:7:9) over [0x18, 0x20); a sibling of inner, never reached,
// over [0x18, 0x20) too (the first child holding an address wins, as in
// LLVM). g at 0x1040 with no rows.
LineTable SampleTable() {
  LineTable t;
  t.sections = {""};
  t.prefixes = {"", "/src/"};
  t.files = {{}, {1, "a.c"}, {0, "include/h.h"}};
  t.names = {"f", "outer", "inner", "sibling", "g"};
  t.rows = {{0x0, 1, 10, 0}, {0x10, 2, 3, 5}, {0x30, 1, 12, 1}};
  t.inline_ranges = {{0x10, 0x30}, {0x18, 0x20}, {0x18, 0x20}};
  t.calls = {
      {1, kNoParent, 1, 11, 2, 0, 1},
      {2, 0, 2, 7, 9, 1, 1},
      {3, 0, 2, 8, 1, 2, 1},
  };
  FunctionLines f;
  f.start = 0x1000;
  f.size = 0x40;
  f.name = 0;
  f.first_row = 0;
  f.row_count = 3;
  f.first_call = 0;
  f.call_count = 3;
  FunctionLines g;
  g.start = 0x1040;
  g.size = 0x10;
  g.name = 4;
  g.first_row = 3;
  t.functions = {f, g};
  return t;
}

TEST(LineTableTest, FindsTheFunctionHoldingAnAddress) {
  LineTable t = SampleTable();
  EXPECT_EQ(t.FindFunction(0xfff), nullptr);
  EXPECT_EQ(t.FindFunction(0x1000), &t.functions[0]);
  EXPECT_EQ(t.FindFunction(0x103f), &t.functions[0]);
  EXPECT_EQ(t.FindFunction(0x1040), &t.functions[1]);
  EXPECT_EQ(t.FindFunction(0x1050), nullptr);
  EXPECT_EQ(t.FindFunction(0x1000, 1), nullptr);  // another section
}

TEST(LineTableTest, AnswersTheRowInForceWithoutInlining) {
  LineTable t = SampleTable();
  EXPECT_THAT(t.Symbolize(0x1000), ElementsAre(Frame("f", "/src/a.c", 10, 0)));
  EXPECT_THAT(t.Symbolize(0x100f), ElementsAre(Frame("f", "/src/a.c", 10, 0)));
  EXPECT_THAT(t.Symbolize(0x103f), ElementsAre(Frame("f", "/src/a.c", 12, 1)));
}

TEST(LineTableTest, AnswersTheInlineChainInnermostFirst) {
  LineTable t = SampleTable();
  EXPECT_THAT(t.Symbolize(0x1010),
              ElementsAre(Frame("outer", "include/h.h", 3, 5),
                          Frame("f", "/src/a.c", 11, 2)));
  EXPECT_THAT(t.Symbolize(0x1018),
              ElementsAre(Frame("inner", "include/h.h", 3, 5),
                          Frame("outer", "include/h.h", 7, 9),
                          Frame("f", "/src/a.c", 11, 2)));
  EXPECT_THAT(t.Symbolize(0x1020),
              ElementsAre(Frame("outer", "include/h.h", 3, 5),
                          Frame("f", "/src/a.c", 11, 2)));
}

TEST(LineTableTest, SaysNoLineWhereNoRowIsInForce) {
  LineTable t = SampleTable();
  EXPECT_THAT(t.Symbolize(0x1040), ElementsAre(Frame("g", "", 0, 0)));
  EXPECT_THAT(t.Symbolize(0x2000), IsEmpty());
}

TEST(LineTableTest, JoinsPrefixAndPath) {
  LineTable t = SampleTable();
  EXPECT_EQ(t.FilePath(0), "");
  EXPECT_EQ(t.FilePath(1), "/src/a.c");
  EXPECT_EQ(t.FilePath(2), "include/h.h");
  EXPECT_EQ(t.FilePath(99), "");
  EXPECT_EQ(t.SourcePath(1), "a.c");
  EXPECT_EQ(t.SourcePath(2), "include/h.h");
  EXPECT_EQ(t.SourcePath(0), "");
  std::vector<SourceFrame> frames = t.Symbolize(0x1018);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].file_id, 2u);  // the row's
  EXPECT_EQ(frames[1].file_id, 2u);  // inner's call site
  EXPECT_EQ(frames[2].file_id, 1u);  // outer's call site
  EXPECT_GT(t.MemoryBytes(), sizeof(LineTable));
}

}  // namespace
}  // namespace ksym
