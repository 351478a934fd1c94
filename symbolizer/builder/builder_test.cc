#include "symbolizer/builder/builder.h"
#include "symbolizer/testing/index_testing.h"

#include <stdlib.h>

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

using testutil::Entry;

std::vector<KallsymsEntry> StaticMap() {
  return {Entry(0xffffffff81000000, 'T', "_text"),
          Entry(0xffffffff81000100, 't', "init_once"),
          Entry(0xffffffff81000200, 't', "init_once"),
          Entry(0xffffffff81000300, 'T', "do_exit")};
}

std::vector<KallsymsEntry> Live(uint64_t slide) {
  std::vector<KallsymsEntry> v;
  for (KallsymsEntry e : StaticMap()) {
    e.address += slide;
    v.push_back(e);
  }
  v.push_back(Entry(0xffffffffc0a01000, 't', "ext4_fill_super", "ext4"));
  v.push_back(Entry(0xffffffffc0a02000, 'd', "ext4_data", "ext4"));
  return v;
}

TEST(BuilderTest, KallsymsAloneIsRuntimeWithLoadableModules) {
  absl::StatusOr<BuildOutput> out = BuildFromEntries(Live(0), {}, {});
  ASSERT_TRUE(out.ok()) << out.status();
  const Catalog& c = out->catalog;
  EXPECT_EQ(c.identity.address_space, AddressSpace::kRuntime);
  ASSERT_EQ(c.symbols.size(), 6u);
  const Symbol& ext4 = c.symbols[4];
  EXPECT_EQ(ext4.name, "ext4_fill_super");
  EXPECT_EQ(c.module_sets[ext4.module_set],
            std::vector<std::string>{"ext4"});
  EXPECT_TRUE(c.loadable_module_sets.contains(ext4.module_set));
  EXPECT_EQ(c.symbols[5].module_set, ext4.module_set);
  // The two init_once stay ambiguous: kallsyms alone has no objects.
  EXPECT_EQ(out->report.duplicate_names_before, 1u);
  ASSERT_EQ(out->report.ambiguous.size(), 1u);
  EXPECT_EQ(out->report.ambiguous[0].qualified, "init_once");
}

TEST(BuilderTest, CoverageCountsTheLoadableModules) {
  absl::StatusOr<BuildOutput> out = BuildFromEntries(Live(0), {}, {});
  ASSERT_TRUE(out.ok()) << out.status();
  const AttributionStats& a = out->attribution;
  EXPECT_EQ(a.symbols, 6u);
  EXPECT_EQ(a.text_symbols, 5u);
  EXPECT_EQ(a.with_object, 0u);
  EXPECT_EQ(a.with_module, 2u);
  EXPECT_EQ(a.text_with_module, 1u);
  EXPECT_EQ(a.module_from[static_cast<size_t>(FactSource::kLoadableModule)],
            2u);
}

TEST(BuilderTest, SystemMapAloneIsStatic) {
  absl::StatusOr<BuildOutput> out = BuildFromEntries({}, StaticMap(), {});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->catalog.identity.address_space, AddressSpace::kStatic);
  EXPECT_EQ(out->catalog.symbols.size(), 4u);
}

TEST(BuilderTest, BothGiveTheKaslrOffset) {
  absl::StatusOr<BuildOutput> out =
      BuildFromEntries(Live(0x1c000000), StaticMap(), {});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->catalog.identity.kaslr_offset, 0x1c000000);
  EXPECT_EQ(out->catalog.identity.address_space, AddressSpace::kRuntime);
  EXPECT_EQ(out->catalog.symbols[0].address, 0xffffffff9d000000u);
  ASSERT_EQ(out->notes.size(), 1u);
  EXPECT_EQ(out->notes[0], "KASLR offset 0x1c000000 (from _text)");
}

TEST(BuilderTest, MismatchedSystemMapIsRefused) {
  std::vector<KallsymsEntry> live = Live(0x1c000000);
  live[3].address += 0x40;  // do_exit moved: another build
  live[1].address += 0x40;
  absl::StatusOr<BuildOutput> out =
      BuildFromEntries(live, StaticMap(), {});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(out.status().message(),
            "System.map does not match kallsyms: 1 of 2 text symbols disagree "
            "after the KASLR offset (do_exit is at 0xffffffff9d000340, "
            "System.map says 0xffffffff81000300); is it the System.map of the "
            "running kernel?");
}

TEST(BuilderTest, NoCommonAnchorIsAnError) {
  absl::StatusOr<BuildOutput> out = BuildFromEntries(
      {Entry(0x1000, 't', "a")}, {Entry(0x2000, 't', "b")}, {});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(BuilderTest, RepeatedSymbolsAreDroppedOnce) {
  std::vector<KallsymsEntry> v = Live(0);
  v.push_back(v[0]);
  absl::StatusOr<BuildOutput> out = BuildFromEntries(v, {}, {});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->catalog.symbols.size(), 6u);
}

TEST(BuilderTest, MissingFileNamesThePath) {
  BuildInputs in;
  in.kallsyms_path = "/nonexistent/kallsyms";
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(out.status().message().find("/nonexistent/kallsyms"),
            std::string::npos);
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  const char* t = getenv("TEST_TMPDIR");
  const std::string path = absl::StrCat(t ? t : "/tmp", "/", name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// Inputs that parse but describe no kernel are errors naming the file,
// never a 0-symbol or all-zero index.
TEST(BuilderTest, EmptyKallsymsIsAnError) {
  BuildInputs in;
  in.kallsyms_path = WriteTemp("empty_kallsyms", "");
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  EXPECT_EQ(out.status(),
            absl::InvalidArgumentError(absl::StrCat(
                in.kallsyms_path,
                ": no symbols (expected lines like \"ffffffff81000000 T "
                "_text\")")));
}

TEST(BuilderTest, AllZeroSystemMapIsAnError) {
  BuildInputs in;
  in.system_map_path = WriteTemp(
      "zero_map", "0000000000000000 T _text\n0000000000000000 t f\n");
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  EXPECT_EQ(out.status(),
            absl::InvalidArgumentError(absl::StrCat(
                in.system_map_path,
                ": all 2 addresses are zero (expected the link-time addresses "
                "of a System.map)")));
}

// One name limit, KSYM_NAME_LEN: refused at build with file:line, so that
// verify, lookup and list never meet a longer name.
TEST(BuilderTest, OverlongNameIsRefusedWithFileAndLine) {
  BuildInputs in;
  in.kallsyms_path = WriteTemp(
      "long_kallsyms", "ffffffff81000000 T _text\nffffffff81000010 t " +
                           std::string(1500, 'n') + "\n");
  absl::StatusOr<BuildOutput> out = BuildCatalog(in);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message().rfind(
                absl::StrCat(in.kallsyms_path,
                             ":2: symbol name of 1500 bytes"),
                0),
            0u)
      << out.status();
}

}  // namespace
}  // namespace ksym
