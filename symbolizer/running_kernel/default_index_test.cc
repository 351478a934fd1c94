#include "symbolizer/running_kernel/default_index.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "symbolizer/running_kernel/identity.h"
#include "symbolizer/catalog/catalog.h"

namespace ksym {
namespace {

KernelIdentity Id(const std::string& release, const std::string& build_id) {
  KernelIdentity id;
  id.release = release;
  id.build_id = build_id;
  return id;
}

TEST(DefaultIndexPathTest, KsymIndexWins) {
  CacheEnvironment env{"/x/k.ksym", "/xdg", "/home/u"};
  EXPECT_EQ(*DefaultIndexPath(Id("6.1.0", "abc"), env), "/x/k.ksym");
}

TEST(DefaultIndexPathTest, XdgCacheThenHomeNeverTmp) {
  const KernelIdentity id =
      Id("6.1.0-28-cloud-amd64", "5c2a0c9e1a77d1f0aa0b0c0d0e0f101112131415");
  EXPECT_EQ(*DefaultIndexPath(id, {"", "/xdg", "/home/u"}),
            "/xdg/ksym/6.1.0-28-cloud-amd64-5c2a0c9e1a77.ksym");
  EXPECT_EQ(*DefaultIndexPath(id, {"", "", "/home/u"}),
            "/home/u/.cache/ksym/6.1.0-28-cloud-amd64-5c2a0c9e1a77.ksym");
  // Without HOME the cache used to fall back to /tmp/ksym, where any user
  // could plant symlinks or an index for root: now an error.
  absl::StatusOr<std::string> none = DefaultIndexPath(id, {"", "", ""});
  EXPECT_EQ(none.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(none.status().message().find("neither XDG_CACHE_HOME nor HOME"),
            absl::string_view::npos);
}

TEST(DefaultIndexPathTest, UnknownReleaseAndBuildId) {
  EXPECT_EQ(*DefaultIndexPath(Id("", ""), {"", "/c", ""}),
            "/c/ksym/kernel.ksym");
  EXPECT_EQ(*DefaultIndexPath(Id("6.1.0", ""), {"", "/c", ""}),
            "/c/ksym/6.1.0.ksym");
}

// A release or build-id read from a root or a vmlinux is a name: one that
// would climb out of the cache, or hold a newline, is an error.
TEST(DefaultIndexPathTest, AReleaseOrBuildIdThatIsAPathIsRefused) {
  for (const char* release : {"../../../../tmp/x/y", "6.1\n6.2", "a/b"}) {
    absl::StatusOr<std::string> p =
        DefaultIndexPath(Id(release, ""), {"", "/c", ""});
    EXPECT_TRUE(absl::IsInvalidArgument(p.status())) << release << " " << *p;
  }
  absl::StatusOr<std::string> p =
      DefaultIndexPath(Id("6.1.0", "../../x"), {"", "/c", ""});
  EXPECT_TRUE(absl::IsInvalidArgument(p.status())) << *p;
}

std::string WriteKallsyms(const std::string& name) {
  const std::string path = absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
  std::ofstream(path) << "ffffffff81000000 T _stext\n"
                         "ffffffff81000100 T schedule\n"
                         "ffffffff81000200 T _etext\n";
  return path;
}

// `ksym build --root R` used to write R's index into the running kernel's
// cache slot when R copied the host's osrelease and notes: a poisoned
// cache the next `ksym lookup` trusted. A root's index is never cached.
TEST(BuildDefaultIndexTest, ARootIsNeverCached) {
  const std::string dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/rootc");
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  setenv("XDG_CACHE_HOME", dir.c_str(), 1);
  unsetenv("KSYM_INDEX");
  BuildInputs in;
  in.root = dir;
  absl::StatusOr<BuiltIndex> b = BuildDefaultIndex(in);
  EXPECT_TRUE(absl::IsInvalidArgument(b.status())) << b.status();
  EXPECT_NE(b.status().message().find("-o INDEX"), absl::string_view::npos)
      << b.status();
  struct stat st;
  EXPECT_NE(stat(absl::StrCat(dir, "/ksym").c_str(), &st), 0);
  unsetenv("XDG_CACHE_HOME");
}

// Sources that claim the running kernel's identity but are not read from
// it (a saved kallsyms with the host's release and build-id) do not land
// in its slot either.
TEST(BuildDefaultIndexTest, ForeignSourcesWithTheRunningIdentityAreNotCached) {
  const std::string dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/foreign");
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  setenv("XDG_CACHE_HOME", dir.c_str(), 1);
  unsetenv("KSYM_INDEX");
  BuildInputs in;
  in.kallsyms_path = WriteKallsyms("foreign-kallsyms");
  in.identity = RunningKernelIdentity();
  in.identity_given = true;
  absl::StatusOr<BuiltIndex> b = BuildDefaultIndex(in);
  EXPECT_TRUE(absl::IsInvalidArgument(b.status())) << b.status();
  absl::StatusOr<std::string> slot = RunningKernelIndexPath();
  ASSERT_TRUE(slot.ok());
  EXPECT_NE(access(slot->c_str(), F_OK), 0);
  unsetenv("XDG_CACHE_HOME");
}

TEST(BuildIndexFileTest, AnEmptyPathIsAnError) {
  BuildInputs in;
  in.kallsyms_path = WriteKallsyms("empty-o-kallsyms");
  absl::StatusOr<BuiltIndex> b = BuildIndexFile(in, "");
  EXPECT_TRUE(absl::IsInvalidArgument(b.status())) << b.status();
}

TEST(OpenDefaultIndexTest, OpensAnExistingIndexWithoutBuilding) {
  const std::string dir = std::getenv("TEST_TMPDIR");
  const std::string kallsyms = absl::StrCat(dir, "/kallsyms");
  std::ofstream(kallsyms) << "ffffffff81000000 T _stext\n"
                             "ffffffff81000100 T schedule\n"
                             "ffffffff81000200 T _etext\n";
  BuildInputs in;
  in.kallsyms_path = kallsyms;
  const std::string path = absl::StrCat(dir, "/given.ksym");
  ASSERT_TRUE(BuildIndexFile(in, path).ok());
  setenv("KSYM_INDEX", path.c_str(), 1);
  EXPECT_EQ(*RunningKernelIndexPath(), path);
  bool built = false;
  DefaultIndexOptions options;
  options.on_build = [&](const std::string&) { built = true; };
  absl::StatusOr<std::unique_ptr<Symbolizer>> s = OpenDefaultIndex(options);
  unsetenv("KSYM_INDEX");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(built);
  EXPECT_EQ((*s)->Lookup(0xffffffff81000104).symbol.name(), "schedule");
}

TEST(BuildDefaultIndexTest, WritesWhereTheBuiltKernelBelongs) {
  const std::string dir = std::getenv("TEST_TMPDIR");
  const std::string kallsyms = absl::StrCat(dir, "/kallsyms2");
  std::ofstream(kallsyms) << "ffffffff81000000 T _stext\n"
                             "ffffffff81000200 T _etext\n";
  BuildInputs in;
  in.kallsyms_path = kallsyms;
  in.identity = Id("9.9.9-test", "00112233445566778899");
  in.identity_given = true;
  setenv("XDG_CACHE_HOME", dir.c_str(), 1);
  unsetenv("KSYM_INDEX");
  absl::StatusOr<BuiltIndex> b = BuildDefaultIndex(in);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->path, absl::StrCat(dir, "/ksym/9.9.9-test-001122334455.ksym"));
  EXPECT_TRUE(Symbolizer::Open(b->path).ok());
  // A kallsyms index holds runtime addresses: owner-only, in a 0700 cache.
  struct stat st;
  ASSERT_EQ(stat(b->path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat(absl::StrCat(dir, "/ksym").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  unsetenv("XDG_CACHE_HOME");
}

// A cache another user can write to, or an index planted in it, is refused
// with a message, never used.
TEST(OpenDefaultIndexTest, RefusesAnUnsafeCache) {
  const std::string dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/unsafe");
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  const std::string cache = absl::StrCat(dir, "/ksym");
  ASSERT_EQ(mkdir(cache.c_str(), 0700), 0);
  ASSERT_EQ(chmod(cache.c_str(), 0777), 0);
  setenv("XDG_CACHE_HOME", dir.c_str(), 1);
  unsetenv("KSYM_INDEX");
  bool built = false;
  DefaultIndexOptions options;
  options.on_build = [&](const std::string&) { built = true; };
  absl::StatusOr<std::unique_ptr<Symbolizer>> s = OpenDefaultIndex(options);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.status().message().find("writable by others"),
            absl::string_view::npos)
      << s.status();

  // Private directory, but the index is a planted symlink.
  ASSERT_EQ(chmod(cache.c_str(), 0700), 0);
  absl::StatusOr<std::string> path = RunningKernelIndexPath();
  ASSERT_TRUE(path.ok());
  const std::string planted = absl::StrCat(dir, "/planted.ksym");
  std::ofstream(planted) << "x";
  ASSERT_EQ(symlink(planted.c_str(), path->c_str()), 0);
  s = OpenDefaultIndex(options);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.status().message().find("symbolic link"), absl::string_view::npos)
      << s.status();
  EXPECT_FALSE(built);
  unsetenv("XDG_CACHE_HOME");
}

}  // namespace
}  // namespace ksym
