#include "symbolizer/builder/inputs.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

std::string TempDir(absl::string_view name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", name);
  mkdir(dir.c_str(), 0755);
  return dir;
}

void Touch(const std::string& path) { std::ofstream(path) << "x\n"; }

const InputSource* Find(const ResolvedInputs& r, absl::string_view what) {
  for (const InputSource& s : r.sources) {
    if (s.what == what) return &s;
  }
  return nullptr;
}

TEST(InputsTest, NothingGivenIsTheRunningKernel) {
  absl::StatusOr<ResolvedInputs> r = DiscoverInputs({});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->kallsyms, "/proc/kallsyms");
  EXPECT_TRUE(r->live);
  EXPECT_TRUE(r->vmlinux.empty());
  const InputSource* vmlinux = Find(*r, "vmlinux");
  ASSERT_NE(vmlinux, nullptr);
  EXPECT_EQ(vmlinux->state, SourceState::kMissing);
  EXPECT_EQ(Find(*r, "kallsyms")->state, SourceState::kFound);
}

TEST(InputsTest, ASavedKallsymsIsNotLive) {
  BuildInputs in;
  in.kallsyms_path = "/tmp/saved-kallsyms";
  absl::StatusOr<ResolvedInputs> r = DiscoverInputs(in);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->kallsyms, "/tmp/saved-kallsyms");
  EXPECT_FALSE(r->live);
}

TEST(InputsTest, TheBuildTreeFillsWhatIsNotGivenExplicitly) {
  std::string build = TempDir("build");
  Touch(build + "/vmlinux");
  Touch(build + "/System.map");
  Touch(build + "/modules.builtin");
  mkdir((build + "/include").c_str(), 0755);
  mkdir((build + "/include/config").c_str(), 0755);
  Touch(build + "/include/config/kernel.release");
  BuildInputs in;
  in.build_dir = build;
  in.system_map_path = "/elsewhere/System.map";
  absl::StatusOr<ResolvedInputs> r = DiscoverInputs(in);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->vmlinux, build + "/vmlinux");
  EXPECT_EQ(r->system_map, "/elsewhere/System.map");
  EXPECT_EQ(r->linker_map, "");  // no vmlinux.map in the tree
  EXPECT_EQ(r->modules_builtin, build + "/modules.builtin");
  EXPECT_EQ(r->kernel_release, build + "/include/config/kernel.release");
  EXPECT_TRUE(r->kallsyms.empty());
  EXPECT_FALSE(r->live);
  EXPECT_EQ(Find(*r, "linker map")->state, SourceState::kMissing);
  EXPECT_EQ(Find(*r, "modules.builtin")->state, SourceState::kFound);
}

TEST(InputsTest, TheModulesDirectoryWinsOverTheBuildTree) {
  std::string build = TempDir("build2");
  std::string modules = TempDir("modules2");
  Touch(build + "/modules.builtin");
  Touch(build + "/modules.builtin.modinfo");
  Touch(modules + "/modules.builtin");
  BuildInputs in;
  in.build_dir = build;
  in.modules_dir = modules;
  absl::StatusOr<ResolvedInputs> r = DiscoverInputs(in);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->modules_builtin, modules + "/modules.builtin");
  EXPECT_EQ(r->modules_builtin_modinfo, build + "/modules.builtin.modinfo");
}

TEST(InputsTest, MissingDirectoriesAreNotFound) {
  BuildInputs in;
  in.build_dir = "/nonexistent/build";
  absl::StatusOr<ResolvedInputs> r = DiscoverInputs(in);
  EXPECT_TRUE(absl::IsNotFound(r.status())) << r.status();
  EXPECT_NE(r.status().message().find("--build-dir"), absl::string_view::npos);

  BuildInputs m;
  m.modules_dir = TempDir("empty-modules");
  r = DiscoverInputs(m);
  EXPECT_TRUE(absl::IsNotFound(r.status())) << r.status();
  EXPECT_NE(r.status().message().find("no modules.builtin"),
            absl::string_view::npos);
}

TEST(InputsTest, StateNames) {
  EXPECT_EQ(SourceStateName(SourceState::kFound), "found");
  EXPECT_EQ(SourceStateName(SourceState::kMissing), "missing");
  EXPECT_EQ(SourceStateName(SourceState::kRejected), "rejected");
}

}  // namespace
}  // namespace ksym
