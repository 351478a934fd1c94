#include "symbolizer/rewriter/kernel_offset.h"

#include "gtest/gtest.h"

namespace ksym {
namespace {

TEST(KernelOffsetTest, X86PanicLineBehindADmesgPrefix) {
  std::optional<KernelOffsetLine> k = ParseKernelOffsetLine(
      "[   12.345678] Kernel Offset: 0x2a400000 from 0xffffffff81000000 "
      "(relocation range: 0xffffffff80000000-0xffffffffbfffffff)");
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->offset, 0x2a400000u);
  EXPECT_EQ(k->from, 0xffffffff81000000u);
  EXPECT_FALSE(k->disabled);
}

TEST(KernelOffsetTest, Arm64LineAndDisabled) {
  std::optional<KernelOffsetLine> k =
      ParseKernelOffsetLine("Kernel Offset: 0x4a3a0000 from 0xffff800008000000");
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->offset, 0x4a3a0000u);
  EXPECT_EQ(k->from, 0xffff800008000000u);
  std::optional<KernelOffsetLine> off =
      ParseKernelOffsetLine("<0>[    3.1] Kernel Offset: disabled\r\n");
  ASSERT_TRUE(off.has_value());
  EXPECT_TRUE(off->disabled);
  EXPECT_EQ(off->offset, 0u);
}

TEST(KernelOffsetTest, OtherLinesAreNotOffsets) {
  for (const char* line :
       {"", "Kernel panic - not syncing: Fatal exception",
        "Kernel Offset: 2a400000 from 0xffffffff81000000",
        "Kernel Offset: 0x from 0xffffffff81000000",
        "Kernel Offset: 0x2a400000",
        "Kernel Offset: 0x2a400000 from 0xffffffff81000000 trailing",
        "Kernel Offset: 0x12345678901234567 from 0xffffffff81000000",
        "Kernel Offset: 0x2a40zz00 from 0xffffffff81000000",
        "Kernel Offset: disabled really"}) {
    EXPECT_FALSE(ParseKernelOffsetLine(line).has_value()) << line;
  }
}

}  // namespace
}  // namespace ksym
