#include "symbolizer/api/default_index.h"

#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
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
  EXPECT_EQ(DefaultIndexPath(Id("6.1.0", "abc"), env), "/x/k.ksym");
}

TEST(DefaultIndexPathTest, XdgCacheThenHomeThenTmp) {
  const KernelIdentity id =
      Id("6.1.0-28-cloud-amd64", "5c2a0c9e1a77d1f0aa0b0c0d0e0f101112131415");
  EXPECT_EQ(DefaultIndexPath(id, {"", "/xdg", "/home/u"}),
            "/xdg/ksym/6.1.0-28-cloud-amd64-5c2a0c9e1a77.ksym");
  EXPECT_EQ(DefaultIndexPath(id, {"", "", "/home/u"}),
            "/home/u/.cache/ksym/6.1.0-28-cloud-amd64-5c2a0c9e1a77.ksym");
  EXPECT_EQ(DefaultIndexPath(id, {"", "", ""}),
            "/tmp/ksym/6.1.0-28-cloud-amd64-5c2a0c9e1a77.ksym");
}

TEST(DefaultIndexPathTest, UnknownReleaseAndBuildId) {
  EXPECT_EQ(DefaultIndexPath(Id("", ""), {"", "/c", ""}), "/c/ksym/kernel.ksym");
  EXPECT_EQ(DefaultIndexPath(Id("6.1.0", ""), {"", "/c", ""}),
            "/c/ksym/6.1.0.ksym");
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
  EXPECT_EQ(RunningKernelIndexPath(), path);
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
}

}  // namespace
}  // namespace ksym
