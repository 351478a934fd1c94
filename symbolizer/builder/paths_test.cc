#include "symbolizer/builder/paths.h"

#include "gtest/gtest.h"

namespace ksym {
namespace {

TEST(StemTest, DropsDirectoryAndLastSuffix) {
  EXPECT_EQ(Stem("kernel/sched/core.o"), "core");
  EXPECT_EQ(Stem("core.c"), "core");
  EXPECT_EQ(Stem(".hidden"), ".hidden");
}

TEST(StFileStemTest, UndoesArm64ObjcopyPrefixes) {
  // What the nVHE, pi and EFI stub Makefiles leave in STT_FILE.
  EXPECT_EQ(StFileStem("__kvm_nvhe_switch.c"), "switch");
  EXPECT_EQ(StFileStem("__kvm_nvhe_hyp-init.nvhe.o"), "hyp-init");
  EXPECT_EQ(StFileStem("__pi_kaslr_early.c"), "kaslr_early");
  EXPECT_EQ(StFileStem("__efistub_fdt.c"), "fdt");
  EXPECT_EQ(StFileStem("__efistub_lib-fdt.stub.o"), "lib-fdt");
}

TEST(StFileStemTest, LeavesOtherNamesAsStem) {
  EXPECT_EQ(StFileStem("core.c"), "core");
  // The suffix goes only with its own prefix.
  EXPECT_EQ(StFileStem("hyp-init.nvhe.o"), "hyp-init.nvhe");
  EXPECT_EQ(StFileStem("__pi_x.nvhe.o"), "x.nvhe");
  // A prefix alone is a name, not a prefix of one.
  EXPECT_EQ(StFileStem("__pi_.c"), "");
}

}  // namespace
}  // namespace ksym
