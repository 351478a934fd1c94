#include "symbolizer/builder/module_checks.h"

#include <elf.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

using ::testing::HasSubstr;

ElfSymbol TextSymbol(std::string name, uint64_t value, uint64_t size) {
  ElfSymbol s;
  s.name = std::move(name);
  s.value = value;
  s.size = size;
  s.type = STT_FUNC;
  s.section_index = 2;
  s.section_name = ".text";
  s.section_flags = SHF_ALLOC | SHF_EXECINSTR;
  s.section_size = 0x80;
  return s;
}

TEST(ModuleSymbolsProblem, SymbolsInsideTheirSectionAreFine) {
  ElfSymbolTable t;
  t.symbols = {TextSymbol("first", 0, 0x40), TextSymbol("last", 0x40, 0x40),
               TextSymbol("end_marker", 0x80, 0)};
  EXPECT_EQ(ModuleSymbolsProblem(t), "");
}

TEST(ModuleSymbolsProblem, ASymbolPastItsSectionIsNamed) {
  ElfSymbolTable t;
  t.symbols = {TextSymbol("ok", 0, 0x10),
               TextSymbol("helper", 0x30, 0x10000000000)};
  EXPECT_EQ(ModuleSymbolsProblem(t),
            "symbol helper has size 0x10000000000 at 0x30 in section .text, "
            "which is 0x80 bytes");
}

TEST(ModuleSymbolsProblem, AValuePastTheSectionIsAProblemToo) {
  ElfSymbolTable t;
  t.symbols = {TextSymbol("beyond", 0x81, 0)};
  EXPECT_THAT(ModuleSymbolsProblem(t), HasSubstr("symbol beyond "));
  // value + size wrapping around 2^64 must not pass.
  t.symbols = {TextSymbol("wraps", 0x40, ~uint64_t{0} - 0x3f)};
  EXPECT_THAT(ModuleSymbolsProblem(t), HasSubstr("symbol wraps "));
}

TEST(ModuleSymbolsProblem, SymbolsThatAreNotPlacedAreNotChecked) {
  ElfSymbolTable t;
  ElfSymbol undefined = TextSymbol("printk", 0, 0x1000);
  undefined.section_index = SHN_UNDEF;
  ElfSymbol unallocated = TextSymbol("note", 0, 0x1000);
  unallocated.section_flags = 0;
  t.symbols = {undefined, unallocated};
  EXPECT_EQ(ModuleSymbolsProblem(t), "");
}

TEST(ModuleUnitsProblem, PathsAreText) {
  DwarfUnits units;
  units.units.resize(2);
  units.units[0].name = "fs/xfs/xfs_super.c";
  units.units[0].comp_dir = "/build/linux";
  units.units[1].name = "drivers\\odd name/\xc3\xa9t\xc3\xa9.c";  // '\', é
  EXPECT_EQ(ModuleUnitsProblem(units), "");
}

TEST(ModuleUnitsProblem, BinaryOrControlBytesAreDamage) {
  for (const std::string bad :
       {std::string("\xff\xfe garbage"), std::string("a\x1b[2Jb.c"),
        std::string("csi\xc2\x9b.c"), std::string("del\x7f.c")}) {
    DwarfUnits units;
    units.units.resize(1);
    units.units[0].offset = 0x2c;
    units.units[0].name = "fine.c";
    units.units[0].comp_dir = bad;
    const std::string problem = ModuleUnitsProblem(units);
    EXPECT_THAT(problem, HasSubstr("compile unit at 0x2c has DW_AT_comp_dir"))
        << bad;
    EXPECT_THAT(problem, HasSubstr("not text")) << bad;
    // The message itself is printable: the bad bytes are escaped.
    for (char c : problem) {
      EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7f) << bad;
    }
  }
}

}  // namespace
}  // namespace ksym
