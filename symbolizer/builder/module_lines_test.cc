#include "symbolizer/builder/module_lines.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

// A debug .ko's table: `f` in .text at 0x40 (inlining `g` at 0x48..0x50),
// `init` in .init.text at 0, `exit` in .exit.text at 0.
LineTable KoTable(const std::string& file) {
  LineTable t;
  t.relocatable = true;
  t.sections = {".text", ".init.text", ".exit.text"};
  t.prefixes = {"", "debian/build/"};
  t.files = {{}, {1, file}, {0, "/usr/include/x.h"}};
  t.names = {"f", "g", "init", "exit"};
  t.rows = {{0x0, 1, 10, 2}, {0x8, 2, 3, 0}, {0x10, 1, 12, 0},
            {0x0, 1, 30, 0}, {0x0, 1, 40, 0}};
  t.inline_ranges = {{0x8, 0x10}};
  t.calls = {{1, kNoParent, 1, 11, 4, 0, 1}};
  t.functions = {{0, 0x40, 0x20, 0, 0, 3, 0, 1},
                 {1, 0x0, 0x10, 2, 3, 1, 1, 0},
                 {2, 0x0, 0x10, 3, 4, 1, 1, 0}};
  return t;
}

TEST(ModuleLinePlacerTest, PlacesFunctionsByTheirSectionsAddresses) {
  ModuleLinePlacer placer;
  placer.Add("m1", KoTable("a.c"), {{".text", 0xffffffffc0001000},
                                    {".exit.text", 0xffffffffc0003000},
                                    {".init.text", 0xffffffffc0009000}});
  std::vector<InputSource> sources;
  std::shared_ptr<const LineTable> t = placer.Finish(sources);
  ASSERT_NE(t, nullptr);
  EXPECT_FALSE(t->relocatable);
  ASSERT_EQ(t->functions.size(), 2u);  // .init.text is freed after load
  EXPECT_EQ(placer.init_dropped(), 1u);
  EXPECT_EQ(t->functions[0].start, 0xffffffffc0001040u);
  EXPECT_EQ(t->functions[1].start, 0xffffffffc0003000u);
  std::vector<SourceFrame> frames = t->Symbolize(0xffffffffc000104a);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].function, "g");
  EXPECT_EQ(frames[0].file, "/usr/include/x.h");
  EXPECT_EQ(frames[0].line, 3u);
  EXPECT_EQ(frames[1].function, "f");
  EXPECT_EQ(frames[1].file, "debian/build/a.c");
  EXPECT_EQ(frames[1].line, 11u);
  EXPECT_EQ(frames[1].column, 4u);
  EXPECT_TRUE(t->Symbolize(0xffffffffc0001040 + 0x20).empty());
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(sources[0].what, kModuleLineTablesSource);
  EXPECT_EQ(sources[0].state, SourceState::kFound);
  EXPECT_TRUE(absl::StrContains(sources[0].why, "1 in .init sections"))
      << sources[0].why;
}

TEST(ModuleLinePlacerTest, MergesModulesSharingFilesAndNames) {
  ModuleLinePlacer placer;
  placer.Add("m2", KoTable("b.c"), {{".text", 0xffffffffc0100000}});
  placer.Add("m1", KoTable("a.c"), {{".text", 0xffffffffc0001000}});
  std::vector<InputSource> sources;
  std::shared_ptr<const LineTable> t = placer.Finish(sources);
  ASSERT_NE(t, nullptr);
  // Without an .exit.text address those functions are left out, counted.
  EXPECT_EQ(placer.unplaced(), 2u);
  ASSERT_EQ(t->functions.size(), 2u);
  EXPECT_LT(t->functions[0].start, t->functions[1].start);  // sorted
  EXPECT_EQ(t->prefixes.size(), 2u);                       // "", debian/build/
  EXPECT_EQ(t->files.size(), 4u);  // unknown, x.h once, a.c, b.c
  EXPECT_EQ(t->names.size(), 2u);  // f, g: init and exit were never placed
  EXPECT_EQ(t->Symbolize(0xffffffffc0001050)[0].file, "debian/build/a.c");
  EXPECT_EQ(t->Symbolize(0xffffffffc0100050)[0].file, "debian/build/b.c");
  EXPECT_TRUE(absl::StrContains(sources[0].why, "(m1, m2)")) << sources[0].why;
}

TEST(ModuleLinePlacerTest, OverlappingPlacementsAreLeftOutAndCounted) {
  ModuleLinePlacer placer;
  placer.Add("m1", KoTable("a.c"), {{".text", 0xffffffffc0001000}});
  placer.Add("m2", KoTable("b.c"), {{".text", 0xffffffffc0001010}});
  std::vector<InputSource> sources;
  std::shared_ptr<const LineTable> t = placer.Finish(sources);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->functions.size(), 1u);
  EXPECT_EQ(placer.overlapping(), 1u);
  EXPECT_TRUE(absl::StrContains(sources[0].why, "1 overlapping another"))
      << sources[0].why;
}

TEST(ModuleLinePlacerTest, NoModuleGivesNoTableAndSaysWhy) {
  ModuleLinePlacer placer;
  LineTable linked = KoTable("a.c");
  linked.relocatable = false;  // not a .ko's: ignored
  placer.Add("m1", linked, {{".text", 0xffffffffc0001000}});
  std::vector<InputSource> sources;
  EXPECT_EQ(placer.Finish(sources), nullptr);
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(sources[0].state, SourceState::kMissing);
  EXPECT_EQ(sources[0].why, "no module's debug .ko was read");
}

}  // namespace
}  // namespace ksym
