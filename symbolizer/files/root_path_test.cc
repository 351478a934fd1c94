#include "symbolizer/files/root_path.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

std::string NewRoot(const std::string& name) {
  const std::string root = absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
  mkdir(root.c_str(), 0755);
  mkdir((root + "/proc").c_str(), 0755);
  mkdir((root + "/lib").c_str(), 0755);
  mkdir((root + "/sys").c_str(), 0755);
  mkdir((root + "/sys/module").c_str(), 0755);
  std::ofstream(root + "/proc/real") << "inside";
  return root;
}

constexpr RootWalk kWalks[] = {RootWalk::kAuto, RootWalk::kUserSpace};

TEST(ResolveInRootTest, TheHostRootIsUnchanged) {
  EXPECT_EQ(*ResolveInRoot("/", "proc/kallsyms"), "/proc/kallsyms");
  EXPECT_EQ(*ResolveInRoot("", "/proc/kallsyms"), "/proc/kallsyms");
}

TEST(ResolveInRootTest, PlainPathsStayAsGiven) {
  const std::string root = NewRoot("plain");
  for (RootWalk w : kWalks) {
    EXPECT_EQ(*ResolveInRoot(root, "proc/real", w), root + "/proc/real");
    EXPECT_EQ(*ResolveInRoot(root + "/", "/proc/real", w),
              root + "/proc/real");
    EXPECT_EQ(*ResolveInRoot(root, "", w), root);
  }
}

// ROOT/proc/kallsyms -> /proc/kallsyms indexed the host's symbols under
// the root's identity.
TEST(ResolveInRootTest, AnAbsoluteSymlinkIsFollowedInsideTheRoot) {
  const std::string root = NewRoot("abs");
  ASSERT_EQ(symlink("/proc/version", (root + "/proc/version").c_str()), 0);
  ASSERT_EQ(symlink("/proc/kallsyms", (root + "/proc/kallsyms").c_str()), 0);
  ASSERT_EQ(symlink("/proc/real", (root + "/lib/link").c_str()), 0);
  ASSERT_EQ(symlink("/etc/hostname", (root + "/lib/host").c_str()), 0);
  for (RootWalk w : kWalks) {
    EXPECT_EQ(*ResolveInRoot(root, "lib/link", w), root + "/proc/real");
    // The host's /etc/hostname exists; the root's does not.
    EXPECT_EQ(*ResolveInRoot(root, "lib/host", w), root + "/etc/hostname");
    // Inside the root, proc/kallsyms -> /proc/kallsyms is itself: a loop,
    // not the host's file.
    EXPECT_TRUE(absl::IsInvalidArgument(
        ResolveInRoot(root, "proc/kallsyms", w).status()));
  }
  struct stat st;
  EXPECT_NE(stat(ResolveInRoot(root, "lib/host")->c_str(), &st), 0);
}

TEST(ResolveInRootTest, DotDotNeverClimbsAboveTheRoot) {
  const std::string root = NewRoot("dotdot");
  ASSERT_EQ(symlink("../../../../../proc/real",
                    (root + "/lib/up").c_str()), 0);
  for (RootWalk w : kWalks) {
    EXPECT_EQ(*ResolveInRoot(root, "sys/module/../../../../../proc/real", w),
              root + "/proc/real");
    EXPECT_EQ(*ResolveInRoot(root, "../../../etc/passwd", w),
              root + "/etc/passwd");
    EXPECT_EQ(*ResolveInRoot(root, "lib/up", w), root + "/proc/real");
  }
}

TEST(ResolveInRootTest, AMissingComponentLeavesNoDotDot) {
  const std::string root = NewRoot("missing");
  for (RootWalk w : kWalks) {
    EXPECT_EQ(*ResolveInRoot(root, "no/such/../../../x", w),
              root + "/no/such/x");
  }
}

TEST(ResolveInRootTest, ALoopIsAnError) {
  const std::string root = NewRoot("loop");
  ASSERT_EQ(symlink("/lib/b", (root + "/lib/a").c_str()), 0);
  ASSERT_EQ(symlink("/lib/a", (root + "/lib/b").c_str()), 0);
  for (RootWalk w : kWalks) {
    EXPECT_TRUE(absl::IsInvalidArgument(ResolveInRoot(root, "lib/a", w).status()));
  }
  EXPECT_EQ(PathInRoot(root, "lib/a"), "");
}

TEST(ConfinedPathTest, PathsUnderTheRootAreResolvedOthersKept) {
  const std::string root = NewRoot("confined");
  ASSERT_EQ(symlink("/etc/hostname", (root + "/lib/host").c_str()), 0);
  EXPECT_EQ(ConfinedPath(root, root + "/lib/host"), root + "/etc/hostname");
  EXPECT_EQ(ConfinedPath(root + "/", root + "/lib/../../x"), root + "/x");
  EXPECT_EQ(ConfinedPath(root, "/etc/hostname"), "/etc/hostname");
  EXPECT_EQ(ConfinedPath(root, root + "x/y"), root + "x/y");
  EXPECT_EQ(ConfinedPath("/", "/etc/hostname"), "/etc/hostname");
}

TEST(ResolveInRootTest, ANulByteIsAnError) {
  EXPECT_TRUE(absl::IsInvalidArgument(
      ResolveInRoot("/r", absl::string_view("a\0b", 3)).status()));
}

}  // namespace
}  // namespace ksym
