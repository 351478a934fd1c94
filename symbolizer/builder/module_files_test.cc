#include "symbolizer/builder/module_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "symbolizer/testing/fake_files.h"

namespace ksym {
namespace {

constexpr char kRelease[] = "6.1.0-test";

std::string Root(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", name);
}

// A build-id note for 0x12 0x34 0x56 (namesz 4, descsz 3, NT_GNU_BUILD_ID).
std::string Note() {
  return std::string("\x04\0\0\0\x03\0\0\0\x03\0\0\0GNU\0\x12\x34\x56\0", 20);
}

TEST(ModuleFilesTest, SectionsBuildIdAndFilesOfEachModule) {
  const std::string root = Root("files");
  const std::string mods = absl::StrCat(root, "/lib/modules/", kRelease);
  const std::string debug =
      absl::StrCat(root, "/usr/lib/debug/lib/modules/", kRelease);
  WriteTestFile(root + "/sys/module/fat/sections/.text", "0xffffffffc0381000\n");
  WriteTestFile(root + "/sys/module/fat/sections/.data", "0xffffffffc0385000\n");
  WriteTestFile(root + "/sys/module/fat/sections/bad", "nonsense\n");
  WriteTestFile(root + "/sys/module/fat/notes/.note.gnu.build-id", Note());
  WriteTestFile(mods + "/modules.dep",
        "kernel/fs/fat/fat.ko.xz:\nkernel/fs/fat/vfat.ko.xz: "
        "kernel/fs/fat/fat.ko.xz\n");
  WriteTestFile(mods + "/kernel/fs/fat/fat.ko.xz", "x");
  WriteTestFile(debug + "/kernel/fs/fat/fat.ko", "d");          // Debian
  WriteTestFile(debug + "/kernel/fs/fat/fat.ko.debug", "d");    // Fedora
  WriteTestFile(root + "/usr/lib/debug/.build-id/12/3456.debug", "d");
  // Not in modules.dep: found by a walk; its debug file too.
  WriteTestFile(mods + "/updates/dkms/sha256-ssse3.ko.zst", "z");
  WriteTestFile(debug + "/updates/dkms/sha256-ssse3.ko", "d");
  WriteTestFile(root + "/sys/module/sha256_ssse3/sections/.text",
        "0x0000000000000000\n");  // hidden from this reader

  ModuleSearch search{root, kRelease, {}};
  std::vector<LoadedModuleFiles> m =
      FindLoadedModuleFiles(search, {"fat", "sha256_ssse3", "absent"});
  ASSERT_EQ(m.size(), 3u);
  const LoadedModuleFiles& fat = m[0];
  EXPECT_EQ(fat.name, "fat");
  EXPECT_FALSE(fat.hidden);
  ASSERT_EQ(fat.sections.size(), 2u);  // the malformed file is skipped
  EXPECT_EQ(fat.sections.at(".text"), 0xffffffffc0381000u);
  EXPECT_EQ(fat.sections.at(".data"), 0xffffffffc0385000u);
  EXPECT_EQ(fat.build_id, "123456");
  EXPECT_EQ(fat.ko_candidates,
            std::vector<std::string>{mods + "/kernel/fs/fat/fat.ko.xz"});
  EXPECT_EQ(fat.debug_candidates,
            (std::vector<std::string>{
                debug + "/kernel/fs/fat/fat.ko",
                debug + "/kernel/fs/fat/fat.ko.debug",
                root + "/usr/lib/debug/.build-id/12/3456.debug"}));

  const LoadedModuleFiles& sha = m[1];
  EXPECT_TRUE(sha.hidden);
  EXPECT_TRUE(sha.sections.empty());
  EXPECT_EQ(sha.build_id, "");
  EXPECT_EQ(sha.ko_candidates,
            std::vector<std::string>{mods +
                                     "/updates/dkms/sha256-ssse3.ko.zst"});
  EXPECT_EQ(sha.debug_candidates,
            std::vector<std::string>{debug + "/updates/dkms/sha256-ssse3.ko"});

  const LoadedModuleFiles& absent = m[2];
  EXPECT_TRUE(absent.sections.empty());
  EXPECT_FALSE(absent.hidden);
  EXPECT_TRUE(absent.ko_candidates.empty());
  EXPECT_TRUE(absent.debug_candidates.empty());
}

TEST(ModuleFilesTest, SymlinkedDirectoriesAreNotWalked) {
  const std::string root = Root("symlinked");
  const std::string mods = absl::StrCat(root, "/lib/modules/", kRelease);
  WriteTestFile(root + "/elsewhere/fat.ko", "x");
  MakeDirs(mods);
  ASSERT_EQ(symlink((root + "/elsewhere").c_str(), (mods + "/build").c_str()),
            0);
  std::vector<LoadedModuleFiles> m =
      FindLoadedModuleFiles({root, kRelease, {}}, {"fat"});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_TRUE(m[0].ko_candidates.empty());
}

}  // namespace
}  // namespace ksym
