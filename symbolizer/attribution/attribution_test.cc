#include "symbolizer/attribution/attribution.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

Symbol Sym(uint64_t address, char type = 't') {
  Symbol s;
  s.address = address;
  s.type = type;
  s.name = "s";
  return s;
}

Catalog WithSymbols(std::vector<uint64_t> addresses) {
  Catalog catalog;
  for (uint64_t a : addresses) catalog.symbols.push_back(Sym(a));
  return catalog;
}

std::string ObjectOf(const Catalog& catalog, size_t i) {
  uint32_t object = catalog.symbols[i].object;
  return object == kNoObject ? "-" : catalog.objects[object].path;
}

std::vector<std::string> ModulesOf(const Catalog& catalog, size_t i) {
  return catalog.module_sets[catalog.symbols[i].module_set];
}

size_t From(const std::array<size_t, kFactSourceCount>& counts,
            FactSource source) {
  return counts[static_cast<size_t>(source)];
}

TEST(AttributeTest, NestedRangesPickTheSmallestAndEndsAreExclusive) {
  Catalog catalog =
      WithSymbols({0x1000, 0x1400, 0x14ff, 0x1500, 0x1fff, 0x2000, 0xfff});
  AttributionFacts facts;
  facts.object_ranges = {
      {0x1000, 0x2000, "kernel/sched/core.o", FactSource::kDwarf},
      {0x1400, 0x1500, "kernel/sched/cold.o", FactSource::kDwarf},
  };
  Attribute(facts, catalog);
  EXPECT_EQ(ObjectOf(catalog, 0), "kernel/sched/core.o");
  EXPECT_EQ(ObjectOf(catalog, 1), "kernel/sched/cold.o");
  EXPECT_EQ(ObjectOf(catalog, 2), "kernel/sched/cold.o");
  EXPECT_EQ(ObjectOf(catalog, 3), "kernel/sched/core.o");
  EXPECT_EQ(ObjectOf(catalog, 4), "kernel/sched/core.o");
  EXPECT_EQ(ObjectOf(catalog, 5), "-");
  EXPECT_EQ(ObjectOf(catalog, 6), "-");
}

TEST(AttributeTest, GapsAndAddressesOutsideEveryRange) {
  Catalog catalog = WithSymbols({0x1150, 0x10ff, 0x1300, 0x5, 0x1200});
  AttributionFacts facts;
  facts.object_ranges = {
      {0x1200, 0x1300, "mm/slub.o", FactSource::kLinkerMap},
      {0x1000, 0x1100, "init/main.o", FactSource::kLinkerMap},
  };
  AttributionStats stats = Attribute(facts, catalog);
  EXPECT_EQ(ObjectOf(catalog, 0), "-");
  EXPECT_EQ(ObjectOf(catalog, 1), "init/main.o");
  EXPECT_EQ(ObjectOf(catalog, 2), "-");
  EXPECT_EQ(ObjectOf(catalog, 3), "-");
  EXPECT_EQ(ObjectOf(catalog, 4), "mm/slub.o");
  EXPECT_EQ(stats.with_object, 2u);
}

TEST(AttributeTest, OverlappingRangesHandOverWhenTheSmallerEnds) {
  Catalog catalog = WithSymbols({0x180, 0x300, 0x2000, 0x10000});
  AttributionFacts facts;
  facts.object_ranges = {
      {0x0, 0x10000, "big.o", FactSource::kDwarf},
      {0x100, 0x200, "small.o", FactSource::kDwarf},
      {0x150, 0x1000, "medium.o", FactSource::kDwarf},
  };
  Attribute(facts, catalog);
  EXPECT_EQ(ObjectOf(catalog, 0), "small.o");
  EXPECT_EQ(ObjectOf(catalog, 1), "medium.o");
  EXPECT_EQ(ObjectOf(catalog, 2), "big.o");
  EXPECT_EQ(ObjectOf(catalog, 3), "-");
}

TEST(AttributeTest, LinkerMapBeatsDwarfAtEqualSize) {
  Catalog catalog = WithSymbols({0x1010});
  AttributionFacts facts;
  facts.object_ranges = {
      {0x1000, 0x1100, "fs/ext4/super.c", FactSource::kDwarf},
      {0x1000, 0x1100, "fs/ext4/super.o", FactSource::kLinkerMap},
      {0x1000, 0x1100, "fs/ext4/a.o", FactSource::kStFile},
  };
  AttributionStats stats = Attribute(facts, catalog);
  EXPECT_EQ(ObjectOf(catalog, 0), "fs/ext4/super.o");
  EXPECT_EQ(From(stats.object_from, FactSource::kLinkerMap), 1u);
  EXPECT_EQ(From(stats.object_from, FactSource::kDwarf), 0u);
}

TEST(AttributeTest, SmallerDwarfRangeBeatsLargerLinkerMapRange) {
  Catalog catalog = WithSymbols({0x1010});
  AttributionFacts facts;
  facts.object_ranges = {
      {0x1000, 0x1100, "drivers/gpu/drm/drm.o", FactSource::kLinkerMap},
      {0x1000, 0x1020, "drivers/gpu/drm/drm_vblank.o", FactSource::kDwarf},
  };
  AttributionStats stats = Attribute(facts, catalog);
  EXPECT_EQ(ObjectOf(catalog, 0), "drivers/gpu/drm/drm_vblank.o");
  EXPECT_EQ(From(stats.object_from, FactSource::kDwarf), 1u);
}

TEST(AttributeTest, EqualSizeAndSourcePicksTheSmallerPath) {
  Catalog catalog = WithSymbols({0x1010});
  AttributionFacts facts;
  facts.object_ranges = {
      {0x1000, 0x1100, "lib/zz.o", FactSource::kDwarf},
      {0x1000, 0x1100, "lib/aa.o", FactSource::kDwarf},
  };
  Attribute(facts, catalog);
  EXPECT_EQ(ObjectOf(catalog, 0), "lib/aa.o");
}

TEST(AttributeTest, EmptyAndInvertedRangesAreIgnored) {
  Catalog catalog = WithSymbols({0x1000});
  AttributionFacts facts;
  facts.object_ranges = {
      {0x1000, 0x1000, "empty.o", FactSource::kLinkerMap},
      {0x1100, 0x1000, "inverted.o", FactSource::kLinkerMap},
      {0x0, 0x10000, "outer.o", FactSource::kLinkerMap},
  };
  Attribute(facts, catalog);
  EXPECT_EQ(ObjectOf(catalog, 0), "outer.o");
}

TEST(AttributeTest, OnlyAssignedObjectsAreInterned) {
  Catalog catalog = WithSymbols({0x1000});
  AttributionFacts facts;
  facts.object_ranges = {
      {0x1000, 0x1100, "used.o", FactSource::kLinkerMap},
      {0x2000, 0x2100, "unused.o", FactSource::kLinkerMap},
  };
  Attribute(facts, catalog);
  ASSERT_EQ(catalog.objects.size(), 1u);
  EXPECT_EQ(catalog.objects[0].path, "used.o");
}

TEST(AttributeTest, ObjectAlreadySetIsKept) {
  Catalog catalog = WithSymbols({0x1000});
  catalog.symbols[0].object = catalog.InternObject("fs/ext4/ext4.ko");
  AttributionFacts facts;
  facts.object_ranges = {{0x0, 0x10000, "x.o", FactSource::kLinkerMap}};
  AttributionStats stats = Attribute(facts, catalog);
  EXPECT_EQ(ObjectOf(catalog, 0), "fs/ext4/ext4.ko");
  EXPECT_EQ(stats.kept_objects, 1u);
  EXPECT_EQ(From(stats.object_from, FactSource::kLinkerMap), 0u);
}

TEST(AttributeTest, ObjectInTwoModulesGetsBoth) {
  Catalog catalog = WithSymbols({0x1000});
  AttributionFacts facts;
  facts.object_ranges = {{0x1000, 0x1100,
                          "drivers/net/ethernet/cavium/liquidio/lio_ethtool.o",
                          FactSource::kLinkerMap}};
  facts.object_modules = ObjectModulesFromBuiltinObjs({
      {"drivers/net/ethernet/cavium/liquidio/liquidio_vf.o",
       {"drivers/net/ethernet/cavium/liquidio/lio_ethtool.o"}},
      {"drivers/net/ethernet/cavium/liquidio/liquidio.o",
       {"drivers/net/ethernet/cavium/liquidio/lio_ethtool.o"}},
  });
  AttributionStats stats = Attribute(facts, catalog);
  EXPECT_THAT(ModulesOf(catalog, 0), ElementsAre("liquidio", "liquidio_vf"));
  EXPECT_EQ(From(stats.module_from, FactSource::kModulesBuiltinObjs), 1u);
}

TEST(AttributeTest, ObjectModulesBeatModuleRanges) {
  Catalog catalog = WithSymbols({0x1000});
  AttributionFacts facts;
  facts.object_ranges = {
      {0x1000, 0x1100, "fs/ext4/super.o", FactSource::kLinkerMap}};
  facts.object_modules = {{"fs/ext4/super.o", {"ext4"}}};
  facts.object_modules_source = FactSource::kKbuildCmd;
  facts.module_ranges = {{0x0, 0x10000, {"jbd2"}}};
  AttributionStats stats = Attribute(facts, catalog);
  EXPECT_THAT(ModulesOf(catalog, 0), ElementsAre("ext4"));
  EXPECT_EQ(From(stats.module_from, FactSource::kKbuildCmd), 1u);
  EXPECT_EQ(From(stats.module_from, FactSource::kModulesBuiltinRanges), 0u);
}

TEST(AttributeTest, ObjectListedWithoutModulesIsCoreKernel) {
  Catalog catalog = WithSymbols({0x1000});
  AttributionFacts facts;
  facts.object_ranges = {
      {0x1000, 0x1100, "kernel/fork.o", FactSource::kLinkerMap}};
  facts.object_modules = {{"kernel/fork.o", {}}};
  facts.module_ranges = {{0x0, 0x10000, {"wrong"}}};
  AttributionStats stats = Attribute(facts, catalog);
  EXPECT_EQ(catalog.symbols[0].module_set, kNoModules);
  EXPECT_EQ(stats.with_module, 0u);
}

TEST(AttributeTest, ModuleRangesCoverUnlistedAndUnattributedSymbols) {
  // 0x1000: object not in object_modules; 0x2010: no object at all;
  // 0x2100: inside the nested smaller range; 0x9000: outside every range.
  Catalog catalog = WithSymbols({0x1000, 0x2010, 0x2100, 0x9000});
  AttributionFacts facts;
  facts.object_ranges = {
      {0x1000, 0x1100, "arch/x86/events/amd/uncore.o", FactSource::kLinkerMap}};
  facts.module_ranges = {
      {0x1000, 0x3000, {"amd_uncore"}},
      {0x2100,
       0x2200,
       {"intel_skl_int3472_tps68470", "intel_skl_int3472_discrete"}},
  };
  AttributionStats stats = Attribute(facts, catalog);
  EXPECT_THAT(ModulesOf(catalog, 0), ElementsAre("amd_uncore"));
  EXPECT_THAT(ModulesOf(catalog, 1), ElementsAre("amd_uncore"));
  EXPECT_THAT(ModulesOf(catalog, 2), ElementsAre("intel_skl_int3472_discrete",
                                                 "intel_skl_int3472_tps68470"));
  EXPECT_THAT(ModulesOf(catalog, 3), IsEmpty());
  EXPECT_EQ(From(stats.module_from, FactSource::kModulesBuiltinRanges), 3u);
}

TEST(AttributeTest, LoadableModuleSymbolsKeepTheirModules) {
  Catalog catalog = WithSymbols({0xffffffffc0a01000});
  catalog.symbols[0].module_set = catalog.InternModuleSet({"xfs"});
  AttributionFacts facts;
  facts.object_ranges = {{0xffffffffc0a00000, 0xffffffffc0a02000,
                          "fs/ext4/super.o", FactSource::kDwarf}};
  facts.object_modules = {{"fs/ext4/super.o", {"ext4"}}};
  facts.module_ranges = {{0xffffffffc0a00000, 0xffffffffc0a02000, {"jbd2"}}};
  AttributionStats stats = Attribute(facts, catalog);
  EXPECT_THAT(ModulesOf(catalog, 0), ElementsAre("xfs"));
  EXPECT_EQ(From(stats.module_from, FactSource::kLoadableModule), 1u);
  EXPECT_EQ(From(stats.module_from, FactSource::kModulesBuiltinObjs), 0u);
}

TEST(AttributeTest, SymbolOrderDoesNotMatter) {
  Catalog catalog = WithSymbols({0x2050, 0x1050, 0x2050, 0x1000});
  AttributionFacts facts;
  facts.object_ranges = {
      {0x2000, 0x2100, "b.o", FactSource::kLinkerMap},
      {0x1000, 0x1100, "a.o", FactSource::kLinkerMap},
  };
  Attribute(facts, catalog);
  EXPECT_EQ(ObjectOf(catalog, 0), "b.o");
  EXPECT_EQ(ObjectOf(catalog, 1), "a.o");
  EXPECT_EQ(ObjectOf(catalog, 2), "b.o");
  EXPECT_EQ(ObjectOf(catalog, 3), "a.o");
}

TEST(AttributeTest, StatsCountEverySource) {
  Catalog catalog;
  catalog.symbols = {Sym(0x1000, 'T'), Sym(0x1010, 't'), Sym(0x1020, 'd'),
                     Sym(0x2000, 'W'), Sym(0x3000, 'r'), Sym(0x4000, 't')};
  // A loadable-module symbol with its .ko as object.
  catalog.symbols[5].module_set = catalog.InternModuleSet({"nfs"});
  catalog.symbols[5].object = catalog.InternObject("fs/nfs/nfs.ko");
  AttributionFacts facts;
  facts.object_ranges = {
      {0x1000, 0x1100, "fs/ext4/super.o", FactSource::kLinkerMap},
      {0x2000, 0x2100, "kernel/fork.o", FactSource::kDwarf},
  };
  facts.object_modules = {{"fs/ext4/super.o", {"ext4"}}};
  facts.module_ranges = {{0x3000, 0x3100, {"amd_uncore"}}};
  AttributionStats stats = Attribute(facts, catalog);
  EXPECT_EQ(stats.symbols, 6u);
  EXPECT_EQ(stats.text_symbols, 4u);
  EXPECT_EQ(stats.with_object, 5u);
  EXPECT_EQ(stats.text_with_object, 4u);
  EXPECT_EQ(stats.with_module, 5u);
  EXPECT_EQ(stats.text_with_module, 3u);
  EXPECT_EQ(stats.kept_objects, 1u);
  EXPECT_EQ(From(stats.object_from, FactSource::kLinkerMap), 3u);
  EXPECT_EQ(From(stats.object_from, FactSource::kDwarf), 1u);
  EXPECT_EQ(From(stats.object_from, FactSource::kNone), 0u);
  EXPECT_EQ(From(stats.module_from, FactSource::kModulesBuiltinObjs), 3u);
  EXPECT_EQ(From(stats.module_from, FactSource::kModulesBuiltinRanges), 1u);
  EXPECT_EQ(From(stats.module_from, FactSource::kLoadableModule), 1u);
}

TEST(AttributeTest, EmptyFactsChangeNothing) {
  Catalog catalog = WithSymbols({0x1000, 0x2000});
  AttributionStats stats = Attribute(AttributionFacts(), catalog);
  EXPECT_EQ(ObjectOf(catalog, 0), "-");
  EXPECT_EQ(catalog.symbols[1].module_set, kNoModules);
  EXPECT_EQ(stats.symbols, 2u);
  EXPECT_EQ(stats.with_object, 0u);
  EXPECT_EQ(stats.with_module, 0u);
}

TEST(ObjectModulesFromBuiltinObjsTest, MembersMapToTheModuleName) {
  auto modules = ObjectModulesFromBuiltinObjs({
      {"fs/ext4/ext4.o", {"fs/ext4/balloc.o", "fs/ext4/super.o"}},
  });
  EXPECT_THAT(modules, UnorderedElementsAre(
                           Pair("fs/ext4/balloc.o", ElementsAre("ext4")),
                           Pair("fs/ext4/super.o", ElementsAre("ext4"))));
}

TEST(ObjectModulesFromBuiltinObjsTest, SingleFileModuleIsItsOwnObject) {
  auto modules = ObjectModulesFromBuiltinObjs({{"fs/binfmt_misc.o", {}}});
  EXPECT_THAT(modules, UnorderedElementsAre(Pair("fs/binfmt_misc.o",
                                                 ElementsAre("binfmt_misc"))));
}

TEST(ObjectModulesFromBuiltinObjsTest, DashesBecomeUnderscores) {
  auto modules = ObjectModulesFromBuiltinObjs({{"fs/nls/nls_iso8859-1.o", {}}});
  EXPECT_THAT(modules,
              UnorderedElementsAre(Pair("fs/nls/nls_iso8859-1.o",
                                        ElementsAre("nls_iso8859_1"))));
}

// kbuild's name-fix turns ',' into '_' as well (scripts/Makefile.lib).
TEST(ObjectModulesFromBuiltinObjsTest, CommasBecomeUnderscores) {
  auto modules = ObjectModulesFromBuiltinObjs({{"drivers/net/foo,bar.o", {}}});
  EXPECT_THAT(modules, UnorderedElementsAre(Pair("drivers/net/foo,bar.o",
                                                 ElementsAre("foo_bar"))));
}

TEST(ObjectModulesFromBuiltinObjsTest, SharedObjectGetsAllModulesSorted) {
  auto modules = ObjectModulesFromBuiltinObjs({
      {"drivers/net/ethernet/cavium/liquidio/liquidio_vf.o",
       {"drivers/net/ethernet/cavium/liquidio/lio_core.o"}},
      {"drivers/net/ethernet/cavium/liquidio/liquidio.o",
       {"drivers/net/ethernet/cavium/liquidio/lio_core.o",
        "drivers/net/ethernet/cavium/liquidio/lio_core.o"}},
      {"drivers/net/ethernet/cavium/liquidio/liquidio.o",
       {"drivers/net/ethernet/cavium/liquidio/lio_main.o"}},
  });
  EXPECT_THAT(modules,
              UnorderedElementsAre(
                  Pair("drivers/net/ethernet/cavium/liquidio/lio_core.o",
                       ElementsAre("liquidio", "liquidio_vf")),
                  Pair("drivers/net/ethernet/cavium/liquidio/lio_main.o",
                       ElementsAre("liquidio"))));
}

TEST(ObjectModulesFromBuiltinObjsTest, ModuleWithoutDirectory) {
  auto modules = ObjectModulesFromBuiltinObjs({{"dummy.o", {"dummy.o"}}});
  EXPECT_THAT(modules,
              UnorderedElementsAre(Pair("dummy.o", ElementsAre("dummy"))));
}

TEST(PaddingTest, PaddingFollowsItsFunction) {
  Catalog catalog;
  const uint32_t ext4 = catalog.InternModuleSet({"ext4"});
  const uint32_t super = catalog.InternObject("fs/ext4/super.o");
  const uint32_t other = catalog.InternObject("fs/ext4/balloc.o");
  auto add = [&](uint64_t a, const char* name, uint32_t object,
                 uint32_t set) {
    Symbol s = Sym(a);
    s.name = name;
    s.object = object;
    s.module_set = set;
    catalog.symbols.push_back(s);
  };
  // objtool's __pfx_ lies in the 16 bytes before its function, where the
  // previous object's range (or none) covers it.
  add(0x1000, "__pfx_init_once", other, kNoModules);
  add(0x1010, "init_once", super, ext4);
  add(0x2000, "__pfx_lonely", kNoObject, kNoModules);  // no function after
  add(0x3000, "init_once", kNoObject, kNoModules);     // too far from it
  EXPECT_EQ(PaddingFollowsItsFunction(catalog), 1u);
  EXPECT_EQ(catalog.symbols[0].object, super);
  EXPECT_EQ(catalog.symbols[0].module_set, ext4);
  EXPECT_EQ(catalog.symbols[2].object, kNoObject);
  EXPECT_TRUE(IsPaddingSymbol("__pfx_x"));
  EXPECT_FALSE(IsPaddingSymbol("__pfx_"));
}

TEST(FactSourceNameTest, NamesEverySource) {
  EXPECT_EQ(FactSourceName(FactSource::kNone), "none");
  EXPECT_EQ(FactSourceName(FactSource::kKallsyms), "kallsyms");
  EXPECT_EQ(FactSourceName(FactSource::kLinkerMap), "linker map");
  EXPECT_EQ(FactSourceName(FactSource::kDwarf), "DWARF");
  EXPECT_EQ(FactSourceName(FactSource::kStFile), "STT_FILE");
  EXPECT_EQ(FactSourceName(FactSource::kModulesBuiltinObjs),
            "modules.builtin.objs");
  EXPECT_EQ(FactSourceName(FactSource::kModulesBuiltinModinfo),
            "modules.builtin.modinfo");
  EXPECT_EQ(FactSourceName(FactSource::kModulesBuiltinRanges),
            "modules.builtin.ranges");
  EXPECT_EQ(FactSourceName(FactSource::kKbuildCmd), "kbuild .cmd");
  EXPECT_EQ(FactSourceName(FactSource::kLoadableModule), "loadable module");
  EXPECT_EQ(FactSourceName(FactSource::kInferred), "inferred");
  EXPECT_EQ(static_cast<size_t>(FactSource::kInferred) + 1,
            kFactSourceCount);
}

}  // namespace
}  // namespace ksym
