#include "symbolizer/api/source_lines.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using testutil::MakeSymbol;
using ::testing::ElementsAre;

constexpr uint64_t kSlide = 0x1c000000;
constexpr uint64_t kOpen = 0xffffffff81000100;  // link-time

// do_open (0x40 bytes) inlines getname (from fs/open.c:20:3), which
// inlines copy_name (from fs/namei.c:7:9) over [0x10, 0x18).
std::shared_ptr<const LineTable> Lines() {
  LineTable t;
  t.sections = {""};
  t.prefixes = {"", "debian/build/build_amd64_none_cloud-amd64/"};
  t.files = {{}, {1, "fs/open.c"}, {1, "fs/namei.c"}, {0, "/usr/include/x.h"}};
  t.names = {"do_open", "getname", "copy_name"};
  t.rows = {{0x0, 1, 10, 0}, {0x8, 2, 5, 1}, {0x10, 3, 2, 4}, {0x20, 1, 30, 0}};
  t.inline_ranges = {{0x8, 0x20}, {0x10, 0x18}};
  t.calls = {{1, kNoParent, 1, 20, 3, 0, 1}, {2, 0, 2, 7, 9, 1, 1}};
  t.functions = {{0, kOpen, 0x40, 0, 0, 4, 0, 2}};
  return std::make_shared<const LineTable>(std::move(t));
}

Catalog Kernel(bool runtime, bool lines) {
  Catalog c;
  const uint64_t shift = runtime ? kSlide : 0;
  c.identity.address_space =
      runtime ? AddressSpace::kRuntime : AddressSpace::kStatic;
  c.identity.kaslr_offset = shift;
  c.symbols.push_back(MakeSymbol(0xffffffff81000000 + shift, "_text", 'T'));
  c.symbols.push_back(MakeSymbol(kOpen + shift, "do_open", 't', 0x40, true));
  c.symbols.push_back(MakeSymbol(kOpen + 0x40 + shift, "asm_fn", 'T', 0x10, true));
  const uint32_t ext4 = c.InternModuleSet({"ext4"});
  c.loadable_module_sets.insert(ext4);
  Symbol m = MakeSymbol(0xffffffffc0a01000, "ext4_fill_super", 't', 0x40, true);
  m.module_set = ext4;
  if (runtime) c.symbols.push_back(m);
  if (lines) {
    c.lines = Lines();
    c.sources.push_back({"line tables", "vmlinux", SourceState::kFound, ""});
  } else {
    c.sources.push_back({"line tables", "vmlinux", SourceState::kMissing,
                         "not read: built with --no-lines"});
  }
  return c;
}

SourceLines At(const Symbolizer& s, uint64_t address) {
  LookupResult r = s.Lookup(address);
  EXPECT_TRUE(r.found);
  return LocateSourceLines(s, r.symbol, r.offset);
}

TEST(SourceLinesTest, PrintsTheInlineChainInnermostFirst) {
  for (bool runtime : {false, true}) {
    std::unique_ptr<Symbolizer> s =
        testutil::SymbolizerFromCatalog(Kernel(runtime, true));
    const uint64_t base = kOpen + (runtime ? kSlide : 0);
    SourceLines l = At(*s, base + 0x12);
    ASSERT_EQ(l.state, SourceLines::State::kFound) << l.why;
    EXPECT_THAT(SourceLineTexts(l),
                ElementsAre("  copy_name /usr/include/x.h:2:4 (inlined)",
                            "  getname fs/namei.c:7:9 (inlined)",
                            "  do_open fs/open.c:20:3"));
    EXPECT_EQ(DecodeStacktraceText(l),
              "/usr/include/x.h:2 fs/namei.c:7 fs/open.c:20");
    EXPECT_THAT(SourceLineTexts(At(*s, base + 0x2)),
                ElementsAre("  do_open fs/open.c:10"));
    JsonLine j;
    AddSourceLineFields(At(*s, base + 0x8), j);
    EXPECT_EQ(j.Finish(),
              "{\"location\":{\"function\":\"getname\",\"file\":"
              "\"fs/namei.c\",\"prefix\":\"debian/build/"
              "build_amd64_none_cloud-amd64/\",\"line\":5,\"column\":1},"
              "\"inlined\":[{\"function\":\"do_open\",\"file\":\"fs/open.c\","
              "\"prefix\":\"debian/build/build_amd64_none_cloud-amd64/\","
              "\"line\":20,\"column\":3}]}");
    // Code without DWARF (assembler) is said, not answered.
    SourceLines none = At(*s, base + 0x44);
    EXPECT_EQ(none.state, SourceLines::State::kNotCovered);
    EXPECT_THAT(SourceLineTexts(none),
                ElementsAre("  ?? (no DWARF function covers this address)"));
  }
}

TEST(SourceLinesTest, AnUnnamedFunctionTakesTheSymbolsName) {
  Catalog c = Kernel(false, true);
  LineTable t = *c.lines;
  t.names[0] = "";  // assembler code: no DW_AT_name
  c.lines = std::make_shared<const LineTable>(std::move(t));
  std::unique_ptr<Symbolizer> s = testutil::SymbolizerFromCatalog(std::move(c));
  EXPECT_THAT(SourceLineTexts(At(*s, kOpen + 0x2)),
              ElementsAre("  do_open fs/open.c:10"));
}

TEST(SourceLinesTest, AModuleFrameIsNotAnsweredFromTheVmlinux) {
  std::unique_ptr<Symbolizer> s =
      testutil::SymbolizerFromCatalog(Kernel(true, true));
  SourceLines l = At(*s, 0xffffffffc0a01010);
  EXPECT_EQ(l.state, SourceLines::State::kNotCovered);
  EXPECT_TRUE(absl::StrContains(l.why, "loadable module")) << l.why;
}

// ext4_fill_super (placed at its load address, 0x40 bytes) inlines
// ext4_setup (fs/ext4/super.c:120:5) over [0x10, 0x20).
std::shared_ptr<const LineTable> ModuleLines() {
  LineTable t;
  t.sections = {""};
  t.prefixes = {"", "debian/build/build_amd64_none_cloud-amd64/"};
  t.files = {{}, {1, "fs/ext4/super.c"}, {1, "fs/ext4/ext4.h"}};
  t.names = {"ext4_fill_super", "ext4_setup"};
  t.rows = {{0x0, 1, 100, 0}, {0x10, 2, 7, 2}, {0x20, 1, 130, 0}};
  t.inline_ranges = {{0x10, 0x20}};
  t.calls = {{1, kNoParent, 1, 120, 5, 0, 1}};
  t.functions = {{0, 0xffffffffc0a01000, 0x30, 0, 0, 3, 0, 1}};
  return std::make_shared<const LineTable>(std::move(t));
}

Catalog WithModuleLines(bool debug_read) {
  Catalog c = Kernel(true, true);
  c.module_lines = ModuleLines();
  LoadedModuleRecord ext4;
  ext4.name = "ext4";
  ext4.base = 0xffffffffc0a00000;
  ext4.size = 0x10000;
  ext4.symbols_from_ko = true;
  ext4.debug_read = debug_read;
  ext4.sections = {{".text", 0xffffffffc0a01000}};
  c.modules.push_back(ext4);
  return c;
}

TEST(SourceLinesTest, AModuleFrameIsAnsweredFromTheModulesLines) {
  std::unique_ptr<Symbolizer> s =
      testutil::SymbolizerFromCatalog(WithModuleLines(true));
  SourceLines l = At(*s, 0xffffffffc0a01014);
  ASSERT_EQ(l.state, SourceLines::State::kFound) << l.why;
  EXPECT_THAT(SourceLineTexts(l),
              ElementsAre("  ext4_setup fs/ext4/ext4.h:7:2 (inlined)",
                          "  ext4_fill_super fs/ext4/super.c:120:5"));
  EXPECT_EQ(DecodeStacktraceText(l), "fs/ext4/ext4.h:7 fs/ext4/super.c:120");
  EXPECT_THAT(SourceLineTexts(At(*s, 0xffffffffc0a01002)),
              ElementsAre("  ext4_fill_super fs/ext4/super.c:100"));
  // The vmlinux's frames still come from its own (link-time) section.
  EXPECT_THAT(SourceLineTexts(At(*s, kOpen + kSlide + 0x2)),
              ElementsAre("  do_open fs/open.c:10"));
  // Past the DWARF function, inside the symbol: said.
  SourceLines past = At(*s, 0xffffffffc0a01038);
  EXPECT_EQ(past.state, SourceLines::State::kNotCovered);
  EXPECT_TRUE(absl::StrContains(past.why, "module's debug .ko")) << past.why;
}

TEST(SourceLinesTest, AModuleWhoseDebugKoWasNotReadSaysSo) {
  std::unique_ptr<Symbolizer> s =
      testutil::SymbolizerFromCatalog(WithModuleLines(false));
  SourceLines l = At(*s, 0xffffffffc0a01014);
  EXPECT_EQ(l.state, SourceLines::State::kNotCovered);
  EXPECT_EQ(l.why,
            "the index has no lines of module ext4: its debug .ko was not "
            "read");
  Catalog no_lines = Kernel(true, true);
  no_lines.sources.push_back({"module line tables", "", SourceState::kMissing,
                              "not read: built with --no-lines"});
  s = testutil::SymbolizerFromCatalog(std::move(no_lines));
  l = At(*s, 0xffffffffc0a01014);
  EXPECT_EQ(l.state, SourceLines::State::kNotCovered);
  EXPECT_EQ(l.why,
            "the index has no loadable module's lines: not read: built with "
            "--no-lines");
}

TEST(SourceLinesTest, AnIndexWithoutLinesSaysWhy) {
  std::unique_ptr<Symbolizer> s =
      testutil::SymbolizerFromCatalog(Kernel(false, false));
  SourceLines l = At(*s, kOpen + 0x12);
  EXPECT_EQ(l.state, SourceLines::State::kNoLineTable);
  EXPECT_EQ(l.why,
            "the index has no line table: not read: built with --no-lines");
  JsonLine j;
  AddSourceLineFields(l, j);
  EXPECT_EQ(j.Finish(),
            "{\"location\":null,\"location_missing\":\"the index has no line "
            "table: not read: built with --no-lines\"}");
  Catalog old = Kernel(false, false);
  old.sources.clear();
  s = testutil::SymbolizerFromCatalog(std::move(old));
  EXPECT_TRUE(absl::StrContains(NoLineTableReason(s->index()), "rebuild"));
}

// What a front end asked for lines says once: what exactly is missing.
TEST(SourceLinesTest, TheWarningSaysWhichTableIsMissing) {
  // Both tables: nothing to say.
  std::unique_ptr<Symbolizer> s =
      testutil::SymbolizerFromCatalog(WithModuleLines(true));
  EXPECT_EQ(LinesWarning(s->index()), "");
  // The modules' lines without the vmlinux's: only the vmlinux's frames
  // go without, and the module frame still has its lines.
  Catalog c = WithModuleLines(true);
  c.lines = nullptr;
  c.sources[0] = {"line tables", "vmlinux", SourceState::kMissing,
                  "not read: no vmlinux with DWARF"};
  s = testutil::SymbolizerFromCatalog(std::move(c));
  EXPECT_EQ(LinesWarning(s->index()),
            "the index has no line table of the vmlinux (its frames come "
            "without lines; the loadable modules' have theirs): not read: no "
            "vmlinux with DWARF");
  EXPECT_EQ(At(*s, 0xffffffffc0a01014).state, SourceLines::State::kFound);
  EXPECT_EQ(At(*s, kOpen + kSlide + 0x2).state,
            SourceLines::State::kNoLineTable);
  // Neither: the index has no line table.
  s = testutil::SymbolizerFromCatalog(Kernel(false, false));
  EXPECT_EQ(LinesWarning(s->index()),
            "the index has no line table: not read: built with --no-lines");
  EXPECT_EQ(NoModuleLineTableReason(s->index()), "");  // no module
}

}  // namespace
}  // namespace ksym
