#include "symbolizer/sources/bpf_programs.h"

#include "gtest/gtest.h"

namespace ksym {
namespace {

// Two JIT'ed functions as the kernel reports them (jited_ksyms in program
// order, lengths), lines as line_info + jited_line_info give them.
BpfProgram TwoFunctions() {
  BpfProgram p;
  p.id = 42;
  p.functions = {{0xffffffffc0010000, 0x30, "main_prog"},
                 {0xffffffffc0010040, 0x20, "helper"}};
  p.lines = {{0xffffffffc0010000, "/src/p.c", 8, 11},
             {0xffffffffc0010014, "/src/p.c", 9, 12},
             {0xffffffffc0010040, "/src/p.c", 3, 0},
             {0xffffffffc001004f, "/src/p.c", 4, 13}};
  return p;
}

TEST(LocateInBpfProgramTest, FunctionAndLineOfAnAddress) {
  BpfProgram p = TwoFunctions();
  BpfPlace at = LocateInBpfProgram(p, 0xffffffffc0010013);
  ASSERT_TRUE(at.found);
  EXPECT_EQ(at.function, "main_prog");
  EXPECT_EQ(at.function_start, 0xffffffffc0010000u);
  ASSERT_NE(at.line, nullptr);
  EXPECT_EQ(at.line->line, 8u);
  EXPECT_EQ(at.line->column, 11u);
  at = LocateInBpfProgram(p, 0xffffffffc0010014);
  ASSERT_NE(at.line, nullptr);
  EXPECT_EQ(at.line->line, 9u);
  // The last row of main_prog covers up to its end, not into the gap.
  at = LocateInBpfProgram(p, 0xffffffffc001002f);
  ASSERT_NE(at.line, nullptr);
  EXPECT_EQ(at.line->line, 9u);
  at = LocateInBpfProgram(p, 0xffffffffc0010050);
  EXPECT_EQ(at.function, "helper");
  ASSERT_NE(at.line, nullptr);
  EXPECT_EQ(at.line->line, 4u);
}

TEST(LocateInBpfProgramTest, OutsideEveryFunction) {
  BpfProgram p = TwoFunctions();
  EXPECT_FALSE(LocateInBpfProgram(p, 0xffffffffc000ffff).found);
  EXPECT_FALSE(LocateInBpfProgram(p, 0xffffffffc0010030).found);  // the gap
  EXPECT_FALSE(LocateInBpfProgram(p, 0xffffffffc0010060).found);
}

TEST(LocateInBpfProgramTest, ARowOfAnotherFunctionNeverAnswers) {
  BpfProgram p = TwoFunctions();
  // helper has no row at its start: the row before it is main_prog's.
  p.lines.erase(p.lines.begin() + 2);
  BpfPlace at = LocateInBpfProgram(p, 0xffffffffc0010041);
  ASSERT_TRUE(at.found);
  EXPECT_EQ(at.function, "helper");
  EXPECT_EQ(at.line, nullptr);
  // Without BTF: functions without names, no lines.
  p.lines.clear();
  for (BpfFunction& f : p.functions) f.name.clear();
  at = LocateInBpfProgram(p, 0xffffffffc0010004);
  EXPECT_TRUE(at.found);
  EXPECT_EQ(at.function, "");
  EXPECT_EQ(at.line, nullptr);
}

}  // namespace
}  // namespace ksym
