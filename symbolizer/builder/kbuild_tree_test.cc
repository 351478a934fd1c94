#include "symbolizer/builder/kbuild_tree.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

std::string Root() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/kbuild_tree_test");
}

void MakeDirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/')
      mkdir(path.substr(0, i).c_str(), 0755);
  }
}

void Write(const std::string& relative, const std::string& text) {
  std::string path = absl::StrCat(Root(), "/", relative);
  MakeDirs(path.substr(0, path.rfind('/')));
  std::ofstream(path) << text;
}

class KbuildTreeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The first line of real .cmd files (Linux 6.2+ and older), then the
    // dependency lines kbuild appends.
    Write("build/fs/ext4/.super.o.cmd",
          "savedcmd_fs/ext4/super.o := gcc -Wp,-MMD,fs/ext4/.super.o.d -O2 "
          "-DKBUILD_MODFILE='\"fs/ext4/ext4\"' -DKBUILD_BASENAME='\"super\"' "
          "-DKBUILD_MODNAME='\"ext4\"' -D__KBUILD_MODNAME=kmod_ext4 -c -o "
          "fs/ext4/super.o fs/ext4/super.c\n\nsource_fs/ext4/super.o := "
          "fs/ext4/super.c\n\ndeps_fs/ext4/super.o := \\\n  "
          "include/linux/compiler-version.h \\\n");
    Write("build/kernel/.fork.o.cmd",
          "cmd_kernel/fork.o := gcc -Wp,-MMD,kernel/.fork.o.d "
          "-DKBUILD_MODFILE='\"kernel/fork\"' -DKBUILD_BASENAME='\"fork\"' "
          "-DKBUILD_MODNAME='\"fork\"' -c -o kernel/fork.o kernel/fork.c\n");
    // No module file: assembler, `ld -r` of composite objects.
    Write("build/arch/x86/entry/.entry_64.o.cmd",
          "savedcmd_arch/x86/entry/entry_64.o := gcc -D__ASSEMBLY__ -c -o "
          "arch/x86/entry/entry_64.o arch/x86/entry/entry_64.S\n");
    Write("build/fs/ext4/.ext4.o.cmd",
          "savedcmd_fs/ext4/ext4.o := ld -m elf_x86_64 -r -o fs/ext4/ext4.o "
          "fs/ext4/balloc.o fs/ext4/super.o\n");
    // tools/ builds write look-alike files of another format.
    Write("build/tools/objtool/.check.o.cmd", "objtool-y += check.o\n");
    // Not object command files, or not to be read.
    Write("build/fs/ext4/.super.o.d", "fs/ext4/super.o: fs/ext4/super.c\n");
    Write("build/fs/ext4/super.o.cmd", "savedcmd_x.o := gcc\n");
    Write("build/.git/.x.o.cmd",
          "savedcmd_x.o := gcc -DKBUILD_MODFILE='\"x\"'\n");
    Write("build/.vmlinux.cmd", "savedcmd_vmlinux := ld -o vmlinux\n");
    // A link to a .cmd file is read; a link to a directory is not walked.
    Write("elsewhere/.cmd-target",
          "savedcmd_lib/string.o := gcc -DKBUILD_MODFILE='\"lib/string\"' "
          "-DKBUILD_MODNAME='\"string\"' -c -o lib/string.o lib/string.c\n");
    MakeDirs(Root() + "/build/lib");
    symlink((Root() + "/elsewhere/.cmd-target").c_str(),
            (Root() + "/build/lib/.string.o.cmd").c_str());
    symlink((Root() + "/build").c_str(), (Root() + "/build/source").c_str());
  }
};

TEST_F(KbuildTreeTest, ReadsTheObjectsWithAModuleFile) {
  absl::StatusOr<KbuildTree> tree = ScanKbuildTree(Root() + "/build/");
  ASSERT_TRUE(tree.ok()) << tree.status();
  ASSERT_EQ(tree->objects.size(), 3u);
  EXPECT_EQ(tree->objects[0].object, "fs/ext4/super.o");
  EXPECT_EQ(tree->objects[0].modfiles,
            std::vector<std::string>{"fs/ext4/ext4"});
  EXPECT_EQ(tree->objects[0].modname, "ext4");
  EXPECT_EQ(tree->objects[1].object, "kernel/fork.o");
  EXPECT_EQ(tree->objects[1].modfile, "kernel/fork");
  EXPECT_EQ(tree->objects[2].object, "lib/string.o");
  // super, fork, entry_64, ext4, check and the linked string.
  EXPECT_EQ(tree->cmd_files, 6u);
  EXPECT_EQ(tree->malformed, 1u);
  EXPECT_EQ(tree->first_error,
            absl::StrCat(Root(),
                         "/build/tools/objtool/.check.o.cmd:1: expected "
                         "\"savedcmd_OBJECT := COMMAND\" (or \"cmd_OBJECT := "
                         "COMMAND\"), got \"objtool-y += check.o\""));
}

TEST_F(KbuildTreeTest, MissingDirectoryIsNotFound) {
  absl::StatusOr<KbuildTree> tree = ScanKbuildTree(Root() + "/no-such-dir");
  EXPECT_EQ(tree.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(tree.status().message(),
            absl::StrCat(Root(), "/no-such-dir: No such file or directory"));
}

}  // namespace
}  // namespace ksym
