#include "symbolizer/fleet/debug_tree_files.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "symbolizer/sources/elf/elf_symtab.h"
#include "symbolizer/testing/fake_files.h"

namespace ksym {
namespace {

const char kVmlinux[] = "symbolizer/sources/elf/fixture_vmlinux";
const char kModule[] = "symbolizer/sources/elf/ksym-fixture.ko";

std::string Read(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string Root(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", name);
}

// Laid out as Debian's linux-image-*-dbg: no .build-id links for them.
TEST(DebugTreeFilesTest, FindsVmlinuxAndModulesByTheirBuildIdNotes) {
  const std::string root = Root("dbg");
  const std::string vmlinux = root + "/usr/lib/debug/boot/vmlinux-6.1.0-9";
  const std::string ko =
      root + "/usr/lib/debug/lib/modules/6.1.0-9/kernel/fs/fat/fat.ko";
  WriteTestFile(vmlinux, Read(kVmlinux));
  WriteTestFile(ko, Read(kModule));
  // Neither a .ko by name nor a vmlinux outside boot/: not looked at.
  WriteTestFile(root + "/usr/lib/debug/lib/modules/6.1.0-9/vdso/vdso64.so",
                Read(kModule));
  DebugTreeFiles files(root);
  EXPECT_EQ(files.scanned(), 0u) << "nothing is read before the first Find";
  EXPECT_EQ(files.Find(*ReadElfBuildIdFile(kVmlinux)), vmlinux);
  EXPECT_EQ(files.Find(*ReadElfBuildIdFile(kModule)), ko);
  EXPECT_EQ(files.Find("00112233"), "");
  EXPECT_EQ(files.scanned(), 2u);
}

TEST(DebugTreeFilesTest, LinksAreNotFollowed) {
  const std::string outside = Root("outside");
  WriteTestFile(outside + "/kernel/x.ko", Read(kModule));
  const std::string root = Root("dbg-links");
  MakeDirs(root + "/usr/lib/debug/lib/modules/6.1.0-9");
  ASSERT_EQ(symlink((outside + "/kernel").c_str(),
                    (root + "/usr/lib/debug/lib/modules/6.1.0-9/kernel")
                        .c_str()),
            0);
  ASSERT_EQ(symlink((outside + "/kernel/x.ko").c_str(),
                    (root + "/usr/lib/debug/lib/modules/6.1.0-9/y.ko").c_str()),
            0);
  DebugTreeFiles files(root);
  EXPECT_EQ(files.Find(*ReadElfBuildIdFile(kModule)), "");
  EXPECT_EQ(files.scanned(), 0u);
}

}  // namespace
}  // namespace ksym
