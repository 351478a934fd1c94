#include "symbolizer/files/root_fd.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "symbolizer/files/root_path.h"

namespace ksym {
namespace {

// ROOT/proc/modules holding "inside", and OUTSIDE/modules "outside": the
// file a root must never read.
struct Tree {
  std::string root;
  std::string outside;
};

Tree NewTree(const std::string& name) {
  const std::string base = absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
  Tree t{base + "/root", base + "/outside"};
  mkdir(base.c_str(), 0755);
  mkdir(t.root.c_str(), 0755);
  mkdir((t.root + "/proc").c_str(), 0755);
  mkdir(t.outside.c_str(), 0755);
  std::ofstream(t.root + "/proc/modules") << "inside";
  std::ofstream(t.outside + "/modules") << "outside";
  return t;
}

std::string ReadAll(int fd) {
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, n);
  return out;
}

std::string ReadPath(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return "(unopenable)";
  std::string s = ReadAll(fd);
  close(fd);
  return s;
}

// ROOT/proc becomes a symlink to OUTSIDE: what a root's owner can do while
// ksym reads it.
void SwapProc(const Tree& t) {
  ASSERT_EQ(rename((t.root + "/proc").c_str(), (t.root + "/proc.old").c_str()),
            0);
  ASSERT_EQ(symlink(t.outside.c_str(), (t.root + "/proc").c_str()), 0);
}

class RootFdTest : public ::testing::TestWithParam<RootWalk> {
 protected:
  void TearDown() override { SetRootWalkStepHookForTesting({}); }
};

TEST_P(RootFdTest, ReadsTheRootsFile) {
  const Tree t = NewTree(absl::StrCat("plain", static_cast<int>(GetParam())));
  absl::StatusOr<UniqueFd> fd =
      OpenInRoot(t.root, "/proc/modules", O_RDONLY, GetParam());
  ASSERT_TRUE(fd.ok()) << fd.status();
  EXPECT_EQ(ReadAll(fd->get()), "inside");
}

TEST_P(RootFdTest, AbsoluteLinksAndDotDotStayInTheRoot) {
  const Tree t = NewTree(absl::StrCat("links", static_cast<int>(GetParam())));
  ASSERT_EQ(symlink("/proc/modules", (t.root + "/abs").c_str()), 0);
  ASSERT_EQ(symlink("../../../../outside/modules", (t.root + "/up").c_str()),
            0);
  std::ofstream(t.root + "/outside_modules") << "x";
  absl::StatusOr<UniqueFd> fd = OpenInRoot(t.root, "abs", O_RDONLY, GetParam());
  ASSERT_TRUE(fd.ok()) << fd.status();
  EXPECT_EQ(ReadAll(fd->get()), "inside");
  // ../../.. stops at the root: ROOT/outside/modules, which is missing.
  EXPECT_TRUE(absl::IsNotFound(
      OpenInRoot(t.root, "up", O_RDONLY, GetParam()).status()));
  EXPECT_TRUE(absl::IsNotFound(
      OpenInRoot(t.root, "../outside/modules", O_RDONLY, GetParam()).status()));
}

TEST_P(RootFdTest, ALoopIsAnError) {
  const Tree t = NewTree(absl::StrCat("loop", static_cast<int>(GetParam())));
  ASSERT_EQ(symlink("/loop", (t.root + "/loop").c_str()), 0);
  absl::StatusOr<UniqueFd> fd = OpenInRoot(t.root, "loop", O_RDONLY, GetParam());
  EXPECT_TRUE(absl::IsInvalidArgument(fd.status())) << fd.status();
}

// The old way: resolve to a path, then open the path. A directory swapped
// for a symlink in between is followed out of the root.
TEST(RootFdRaceTest, ResolvingThenOpeningAPathEscapes) {
  const Tree t = NewTree("old_way");
  absl::StatusOr<std::string> path = ResolveInRoot(t.root, "proc/modules");
  ASSERT_TRUE(path.ok());
  SwapProc(t);
  EXPECT_EQ(ReadPath(*path), "outside");  // why OpenInRoot exists
}

// The fd walk holds ROOT/proc open once it has stepped into it: the swap
// after that step (the moment the old way resolved) is not seen.
TEST_F(RootFdTest, ASwapAfterTheStepIsNotFollowed) {
  const Tree t = NewTree("swap_after_step");
  SetRootWalkStepHookForTesting([&](absl::string_view walked) {
    if (walked == "proc") SwapProc(t);
  });
  absl::StatusOr<UniqueFd> fd =
      OpenInRoot(t.root, "proc/modules", O_RDONLY, RootWalk::kUserSpace);
  ASSERT_TRUE(fd.ok()) << fd.status();
  EXPECT_EQ(ReadAll(fd->get()), "inside");
}

// openat2 walks in the kernel: a swap before it is seen as a link inside
// the root (ROOT/<outside path>, missing), never the host's file.
TEST_F(RootFdTest, ASwapBeforeOpenat2IsResolvedInTheRoot) {
  const Tree t = NewTree("swap_openat2");
  SetRootWalkStepHookForTesting([&](absl::string_view walked) {
    if (walked.empty()) SwapProc(t);
  });
  absl::StatusOr<UniqueFd> fd =
      OpenInRoot(t.root, "proc/modules", O_RDONLY, RootWalk::kOpenat2);
  if (absl::IsUnavailable(fd.status())) {
    // A kernel without openat2 (before 5.6): the walk kAuto falls back to
    // must resolve the swapped link inside the root the same way.
    SetRootWalkStepHookForTesting({});
    fd = OpenInRoot(t.root, "proc/modules", O_RDONLY, RootWalk::kAuto);
  }
  EXPECT_TRUE(absl::IsNotFound(fd.status())) << fd.status();
}

// The last component replaced by a symlink between its check and its open
// is refused (O_NOFOLLOW from the directory's fd), not followed.
TEST_F(RootFdTest, ALastComponentSwappedForALinkIsRefused) {
  const Tree t = NewTree("swap_last");
  SetRootWalkStepHookForTesting([&](absl::string_view walked) {
    if (walked != "proc/modules") return;
    const std::string m = t.root + "/proc/modules";
    ASSERT_EQ(unlink(m.c_str()), 0);
    ASSERT_EQ(symlink((t.outside + "/modules").c_str(), m.c_str()), 0);
  });
  absl::StatusOr<UniqueFd> fd =
      OpenInRoot(t.root, "proc/modules", O_RDONLY, RootWalk::kUserSpace);
  EXPECT_TRUE(absl::IsInvalidArgument(fd.status())) << fd.status();
}

TEST(OpenConfinedTest, PathsOutsideTheRootAreOpenedAsGiven) {
  const Tree t = NewTree("confined");
  ASSERT_EQ(symlink("/proc/modules", (t.root + "/abs").c_str()), 0);
  absl::StatusOr<UniqueFd> in = OpenConfined(t.root, t.root + "/abs", O_RDONLY);
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_EQ(ReadAll(in->get()), "inside");
  absl::StatusOr<UniqueFd> given =
      OpenConfined(t.root, t.outside + "/modules", O_RDONLY);
  ASSERT_TRUE(given.ok()) << given.status();
  EXPECT_EQ(ReadAll(given->get()), "outside");
  absl::StatusOr<UniqueFd> missing =
      OpenConfined(t.root, t.root + "/nope", O_RDONLY);
  EXPECT_TRUE(absl::IsNotFound(missing.status()));
  EXPECT_NE(missing.status().message().find(t.root + "/nope"),
            absl::string_view::npos)
      << missing.status();
}

TEST(OpenDirConfinedTest, ListsTheRootsDirectory) {
  const Tree t = NewTree("dir");
  ASSERT_EQ(symlink("/proc", (t.root + "/p").c_str()), 0);
  absl::StatusOr<UniqueDir> d = OpenDirConfined(t.root, t.root + "/p");
  ASSERT_TRUE(d.ok()) << d.status();
  std::set<std::string> names;
  while (struct dirent* e = readdir(d->get())) names.insert(e->d_name);
  EXPECT_EQ(names.count("modules"), 1u);
}

INSTANTIATE_TEST_SUITE_P(Walks, RootFdTest,
                         ::testing::Values(RootWalk::kAuto,
                                           RootWalk::kUserSpace));

}  // namespace
}  // namespace ksym
