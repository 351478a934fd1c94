#include "symbolizer/sources/loaded_modules.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

TEST(ProcModulesTest, ParsesTheKernelsLines) {
  absl::StatusOr<std::vector<LoadedModule>> m = ParseProcModules(
      "virtio_pci 28672 0 - Live 0xffffffffc0381000\n"
      "nvidia 56807424 20 nvidia_modeset,nvidia_uvm, Live "
      "0xffffffffc1000000 (POE)\n"
      "fat 86016 1 vfat, Unloading 0x0000000000000000\n",
      "modules");
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->size(), 3u);
  EXPECT_EQ((*m)[0].name, "virtio_pci");
  EXPECT_EQ((*m)[0].size, 28672u);
  EXPECT_EQ((*m)[0].state, "Live");
  EXPECT_EQ((*m)[0].address, 0xffffffffc0381000u);
  EXPECT_EQ((*m)[1].name, "nvidia");
  EXPECT_EQ((*m)[1].address, 0xffffffffc1000000u);
  // A reader without the privilege sees zero: kept, the caller decides.
  EXPECT_EQ((*m)[2].state, "Unloading");
  EXPECT_EQ((*m)[2].address, 0u);
}

TEST(ProcModulesTest, EmptyFileIsNoModules) {
  absl::StatusOr<std::vector<LoadedModule>> m = ParseProcModules("", "m");
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->empty());
}

TEST(ProcModulesTest, MalformedLinesNameFileAndLine) {
  for (const char* bad : {"virtio_pci 28672 0 - Live\n",
                          "virtio_pci big 0 - Live 0xffffffffc0381000\n",
                          "virtio_pci 28672 0 - Live ffffffffc0381000\n",
                          "virtio_pci 28672 0 - Live 0x\n",
                          "virtio_pci 28672 0 - Live 0x1ffffffffc0381000\n"}) {
    absl::StatusOr<std::vector<LoadedModule>> m =
        ParseProcModules(absl::StrCat("fat 1 0 - Live 0x1\n", bad), "mods");
    ASSERT_FALSE(m.ok()) << bad;
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(m.status().message(), "mods:2: "))
        << m.status();
  }
}

TEST(SectionAddressTest, OneHexAddress) {
  absl::StatusOr<uint64_t> a =
      ParseSectionAddress("0xffffffffc0381000\n", ".text");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(*a, 0xffffffffc0381000u);
  EXPECT_EQ(*ParseSectionAddress("0x0000000000000000\n", ".text"), 0u);
  for (const char* bad : {"", "\n", "ffffffffc0381000\n", "0xzz\n",
                          "0x1\n0x2\n"}) {
    absl::StatusOr<uint64_t> b = ParseSectionAddress(bad, "s/.text");
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_TRUE(absl::StartsWith(b.status().message(), "s/.text:1: "));
  }
}

TEST(ModulesDepTest, NamesFromPaths) {
  absl::StatusOr<std::vector<ModuleFile>> d = ParseModulesDep(
      "kernel/fs/fat/fat.ko.xz:\n"
      "kernel/fs/fat/vfat.ko.xz: kernel/fs/fat/fat.ko.xz\n"
      "kernel/arch/x86/crypto/sha256-ssse3.ko.zst:\n"
      "updates/dkms/nvidia.ko: kernel/drivers/video/fbdev/core/fb.ko\n",
      "modules.dep");
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->size(), 4u);
  EXPECT_EQ((*d)[0].name, "fat");
  EXPECT_EQ((*d)[0].path, "kernel/fs/fat/fat.ko.xz");
  EXPECT_EQ((*d)[1].name, "vfat");
  EXPECT_EQ((*d)[2].name, "sha256_ssse3");
  EXPECT_EQ((*d)[3].path, "updates/dkms/nvidia.ko");
}

TEST(ModulesDepTest, MalformedLines) {
  for (const char* bad : {"kernel/fs/fat/fat.ko\n", "kernel/fs/fat/fat.o:\n",
                          ".ko:\n"}) {
    absl::StatusOr<std::vector<ModuleFile>> d = ParseModulesDep(bad, "dep");
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_TRUE(absl::StartsWith(d.status().message(), "dep:1: "));
  }
}

TEST(ModuleNameTest, SuffixesAndDashes) {
  EXPECT_EQ(ModuleNameOfFile("a/b/nls_iso8859-1.ko.gz"), "nls_iso8859_1");
  EXPECT_EQ(ModuleNameOfFile("fat.ko.debug"), "fat");
  EXPECT_EQ(ModuleNameOfFile("fat.ko"), "fat");
  EXPECT_EQ(ModuleNameOfFile("fat.o"), "");
  EXPECT_EQ(ModuleNameOfFile("fat.ko.bz2"), "");
}

}  // namespace
}  // namespace ksym
