// The static-symbols stage on the synthetic kernel of testdata/synthetic
// (vmlinux and System.map built by the test with the system toolchain).
#include "symbolizer/builder/static_symbols.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "symbolizer/sources/file_reader.h"

namespace ksym {
namespace {

const char kVmlinux[] = "testdata/synthetic/build/vmlinux";
const char kSystemMap[] = "testdata/synthetic/build/System.map";

std::string TempFile(absl::string_view name, absl::string_view contents) {
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path = absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name);
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

const Symbol* Find(const StaticSymbols& s, absl::string_view name) {
  for (const Symbol& sym : s.symbols) {
    if (sym.name == name) return &sym;
  }
  return nullptr;
}

TEST(StaticSymbolsTest, NeitherGivenIsEmpty) {
  BuildLog log;
  absl::StatusOr<StaticSymbols> s = ReadStaticSymbols({}, log);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->label, "");
  EXPECT_TRUE(s->symbols.empty());
}

TEST(StaticSymbolsTest, VmlinuxGivesSizesGroupsAndIdentity) {
  ResolvedInputs in;
  in.vmlinux = kVmlinux;
  BuildLog log;
  absl::StatusOr<StaticSymbols> s = ReadStaticSymbols(in, log);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->label, "vmlinux");
  ASSERT_FALSE(s->symbols.empty());
  EXPECT_EQ(s->file_group.size(), s->symbols.size());
  EXPECT_EQ(s->percpu.size(), s->symbols.size());
  EXPECT_EQ(s->arch, "x86_64");
  EXPECT_EQ(s->banner_release, "6.1.0-synthetic");
  EXPECT_FALSE(s->build_id.empty());
  // Functions have their ELF size; per-CPU data is marked.
  const Symbol* schedule = Find(*s, "schedule");
  ASSERT_NE(schedule, nullptr);
  EXPECT_TRUE(schedule->size_exact);
  EXPECT_GT(schedule->size, 0u);
  for (size_t i = 0; i < s->symbols.size(); ++i) {
    if (s->symbols[i].name == "cpu_number") EXPECT_TRUE(s->percpu[i]);
    if (s->symbols[i].name == "schedule") EXPECT_FALSE(s->percpu[i]);
  }
  // A local function follows the STT_FILE of its source.
  for (size_t i = 0; i < s->symbols.size(); ++i) {
    if (s->symbols[i].name != "ext4_helper") continue;
    ASSERT_GE(s->file_group[i], 0);
    const std::string& file = s->files[s->file_group[i]];
    EXPECT_TRUE(file == "super.c" || file == "inode.c") << file;
  }
  ASSERT_FALSE(log.notes.empty());
  EXPECT_NE(log.notes.back().find("filtered as scripts/mksysmap does"),
            std::string::npos);
}

TEST(StaticSymbolsTest, SystemMapDecidesWhichVmlinuxSymbolsAreListed) {
  ResolvedInputs in;
  in.vmlinux = kVmlinux;
  in.system_map = kSystemMap;
  BuildLog log;
  absl::StatusOr<StaticSymbols> s = ReadStaticSymbols(in, log);
  ASSERT_TRUE(s.ok()) << s.status();
  absl::StatusOr<std::string> text = ReadFileToString(kSystemMap);
  ASSERT_TRUE(text.ok());
  absl::StatusOr<std::vector<KallsymsEntry>> map =
      ParseSystemMap(*text, kSystemMap);
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(s->symbols.size(), map->size());
  EXPECT_TRUE(s->system_map.empty());  // vmlinux is the static source
}

TEST(StaticSymbolsTest, SystemMapAloneIsTheStaticSource) {
  ResolvedInputs in;
  in.system_map = kSystemMap;
  BuildLog log;
  absl::StatusOr<StaticSymbols> s = ReadStaticSymbols(in, log);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->label, "System.map");
  EXPECT_FALSE(s->system_map.empty());
  EXPECT_TRUE(s->symbols.empty());
}

TEST(StaticSymbolsTest, ASystemMapOfAnotherBuildIsRefused) {
  absl::StatusOr<std::string> text = ReadFileToString(kSystemMap);
  ASSERT_TRUE(text.ok());
  // schedule moved: not the System.map of this vmlinux.
  std::string other = absl::StrReplaceAll(
      *text, {{"ffffffff81000428 T schedule", "ffffffff81000430 T schedule"}});
  ASSERT_NE(other, *text);
  ResolvedInputs in;
  in.vmlinux = kVmlinux;
  in.system_map = TempFile("System.map-other", other);
  BuildLog log;
  absl::StatusOr<StaticSymbols> s = ReadStaticSymbols(in, log);
  EXPECT_TRUE(absl::IsFailedPrecondition(s.status())) << s.status();
  EXPECT_NE(s.status().message().find("schedule at 0xffffffff81000430"),
            absl::string_view::npos)
      << s.status();
}

TEST(StaticSymbolsTest, DebiansPlaceholderSystemMapIsRefused) {
  ResolvedInputs in;
  in.system_map = TempFile(
      "System.map-placeholder",
      "ffffffffffffffff B The real System.map is in the linux-image-<version>"
      "-dbg package\n");
  BuildLog log;
  absl::StatusOr<StaticSymbols> s = ReadStaticSymbols(in, log);
  EXPECT_TRUE(absl::IsFailedPrecondition(s.status())) << s.status();
  EXPECT_NE(s.status().message().find("-dbg package"), absl::string_view::npos);
}

}  // namespace
}  // namespace ksym
