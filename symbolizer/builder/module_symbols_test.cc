#include "symbolizer/builder/module_symbols.h"

#include <elf.h>

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "gtest/gtest.h"
#include "symbolizer/sources/elf/dwarf_units.h"
#include "symbolizer/sources/elf/elf_symtab.h"
#include "symbolizer/testing/index_testing.h"

namespace ksym {
namespace {

using testutil::Entry;

// The fixture module (testdata/elf/module): `helper` in mod_main.c at
// .text+0 and in mod_util.c at .text+0x30; fixture_init in .init.text.
const char kKo[] = "symbolizer/sources/elf/ksym-fixture.ko";
constexpr uint64_t kText = 0xffffffffc0381000;
constexpr uint64_t kModinfo = 0xffffffffc0385000;

ElfSymbolTable Symtab() {
  absl::StatusOr<ElfSymbolTable> t = ReadElfSymtabFile(kKo);
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *t : ElfSymbolTable();
}

DwarfUnits Units() {
  absl::StatusOr<DwarfUnits> u = ReadDwarfUnitsFile(kKo);
  EXPECT_TRUE(u.ok()) << u.status();
  return u.ok() ? *u : DwarfUnits();
}

absl::flat_hash_map<std::string, uint64_t> Sections() {
  return {{".text", kText},
          {".init.text", 0xffffffffc0390000},
          {".modinfo", kModinfo}};
}

const PlacedSymbol* Find(const PlacedModule& m, const std::string& name,
                         uint64_t address) {
  for (const PlacedSymbol& s : m.symbols) {
    if (s.name == name && s.address == address) return &s;
  }
  return nullptr;
}

TEST(ModuleSymbolsTest, PlacedBySectionWithExactSizesAndObjects) {
  DwarfUnits units = Units();
  PlacedModule m = PlaceModuleSymbols(Symtab(), &units, Sections(), {});
  const PlacedSymbol* main_helper = Find(m, "helper", kText);
  const PlacedSymbol* util_helper = Find(m, "helper", kText + 0x30);
  ASSERT_NE(main_helper, nullptr);
  ASSERT_NE(util_helper, nullptr);
  EXPECT_EQ(main_helper->size, 14u);
  EXPECT_EQ(util_helper->size, 9u);
  EXPECT_EQ(main_helper->type, 't');
  // The two `helper`s get the objects their STT_FILE symbols name.
  EXPECT_EQ(main_helper->object, "testdata/elf/module/mod_main.o");
  EXPECT_EQ(util_helper->object, "testdata/elf/module/mod_util.o");
  const PlacedSymbol* exported = Find(m, "fixture_exported", kText + 0x10);
  ASSERT_NE(exported, nullptr);
  EXPECT_EQ(exported->type, 'T');
  EXPECT_NE(Find(m, "modinfo_name", kModinfo), nullptr);
  // .init.text is freed after loading; common and undefined symbols have
  // no section.
  for (const PlacedSymbol& s : m.symbols) {
    EXPECT_NE(s.name, "fixture_init");
    EXPECT_NE(s.name, "common_var");
    EXPECT_NE(s.name, "printk");
  }
  EXPECT_EQ(m.init_dropped, 1u);
  EXPECT_EQ(m.text_with_object, m.text_symbols);
  EXPECT_GE(m.text_symbols, 4u);
}

TEST(ModuleSymbolsTest, WithoutDebugDataNoObjects) {
  PlacedModule m = PlaceModuleSymbols(Symtab(), nullptr, Sections(), {});
  ASSERT_NE(Find(m, "helper", kText), nullptr);
  for (const PlacedSymbol& s : m.symbols) EXPECT_EQ(s.object, "") << s.name;
  EXPECT_EQ(m.text_with_object, 0u);
}

TEST(ModuleSymbolsTest, ASectionWithoutAddressIsNotPlaced) {
  PlacedModule m =
      PlaceModuleSymbols(Symtab(), nullptr, {{".text", kText}}, {});
  EXPECT_EQ(Find(m, "modinfo_name", kModinfo), nullptr);
  EXPECT_GE(m.unplaced, 2u);  // modinfo_name, modinfo_license
}

TEST(ModuleSymbolsTest, KallsymsLinesAgreeDisagreeOrStayAlone) {
  PlacedModule m = PlaceModuleSymbols(
      Symtab(), nullptr, Sections(),
      {Entry(kText + 0x30, 'T', "helper", "fixture"),     // agrees
       Entry(kText + 0x999, 't', "mod_util", "fixture"),  // elsewhere
       Entry(kText + 0x100, 't', "only_here", "fixture")});
  EXPECT_EQ(m.kallsyms_agree, 1u);
  EXPECT_EQ(m.kallsyms_disagree, 1u);
  ASSERT_EQ(m.disagree_examples.size(), 1u);
  EXPECT_EQ(m.disagree_examples[0],
            "mod_util at 0xffffffffc0381999 in kallsyms, 0xffffffffc0381040 "
            "from the .ko");
  ASSERT_EQ(m.kallsyms_only.size(), 1u);
  EXPECT_EQ(m.kallsyms_only[0].name, "only_here");
  // The kernel's type letter wins where they agree.
  EXPECT_EQ(Find(m, "helper", kText + 0x30)->type, 'T');
}

TEST(ModuleSymbolsTest, LocalLabelsWithAControlByteAreNotPlaced) {
  ElfSymbol s;
  s.name = std::string(".L14472\x02" "1");
  s.section_index = 30;
  s.section_name = ".rodata.str";
  s.section_flags = SHF_ALLOC;
  EXPECT_FALSE(Placeable(s));
  s.name = ".Lplain";
  EXPECT_TRUE(Placeable(s));
  s.name = "sha256_block_data_order";
  EXPECT_TRUE(Placeable(s));
}

}  // namespace
}  // namespace ksym
