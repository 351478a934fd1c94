#include "symbolizer/sources/linkmap/linker_map.h"

#include <cstdint>
#include <fstream>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// ---- helpers ----

// Fixtures built by the :fixtures genrule (see BUILD.bazel).
std::string ReadFixture(absl::string_view name) {
  std::string path = absl::StrCat("symbolizer/sources/linkmap/", name);
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

LinkerMap ParseFixture(absl::string_view name) {
  absl::StatusOr<LinkerMap> map = ParseLinkerMap(ReadFixture(name), name);
  EXPECT_TRUE(map.ok()) << map.status();
  return map.ok() ? *std::move(map) : LinkerMap();
}

// The image of `map_name` as linked, with vmlinux.o resolved through the
// `ld -r` map for the vmlinux.o links.
LinkerMap LinkedMap(absl::string_view linker, absl::string_view link) {
  LinkerMap map = ParseFixture(absl::StrCat(linker, "_", link, ".map"));
  if (link == "vmlinux_o") {
    map = ExpandRelocatableObject(
        map, "vmlinux.o",
        ParseFixture(absl::StrCat(linker, "_vmlinux_o_r.map")));
  }
  return map;
}

struct NmSymbol {
  uint64_t address;
  std::string name;
  std::string object;  // from the DWARF line: /build/fs/ext4/super.c → .o
};

// `nm -l --defined-only` lines with a source location, without the symbols
// the linker script defines (nm -l gives them the location of whatever
// code sits at their address).
std::vector<NmSymbol> NmSymbols(absl::string_view name) {
  static const absl::flat_hash_set<absl::string_view> kScriptSymbols = {
      "_text",           "_etext",        "_end",        "jiffies",
      "__per_cpu_start", "__per_cpu_end", "__bss_start", "_edata"};
  std::vector<NmSymbol> symbols;
  for (absl::string_view line :
       absl::StrSplit(ReadFixture(name), '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> fields = absl::StrSplit(line, '\t');
    if (fields.size() != 2) continue;
    std::vector<absl::string_view> nm = absl::StrSplit(fields[0], ' ');
    EXPECT_EQ(nm.size(), 3u) << line;
    if (nm.size() != 3 || kScriptSymbols.contains(nm[2])) continue;
    NmSymbol symbol;
    EXPECT_TRUE(absl::SimpleHexAtoi(nm[0], &symbol.address)) << line;
    symbol.name = std::string(nm[2]);
    absl::string_view source = fields[1].substr(0, fields[1].rfind(':'));
    EXPECT_TRUE(absl::ConsumePrefix(&source, "/build/")) << line;
    EXPECT_TRUE(absl::ConsumeSuffix(&source, ".c")) << line;
    symbol.object = absl::StrCat(source, ".o");
    symbols.push_back(symbol);
  }
  return symbols;
}

std::set<std::string> ObjectsCovering(
    const std::vector<ObjectRangeLite>& ranges, uint64_t address) {
  std::set<std::string> objects;
  for (const ObjectRangeLite& r : ranges) {
    if (r.begin <= address && address < r.end) objects.insert(r.object);
  }
  return objects;
}

const MapInputSection* FindSection(const LinkerMap& map,
                                   absl::string_view input_section,
                                   absl::string_view object) {
  for (const MapInputSection& s : map.sections) {
    if (s.input_section == input_section && s.object == object) return &s;
  }
  return nullptr;
}

// ---- real maps ----

struct LinkCase {
  const char* linker;
  const char* link;
};

void PrintTo(const LinkCase& c, std::ostream* os) {
  *os << c.linker << "_" << c.link;
}

class RealMapTest : public ::testing::TestWithParam<LinkCase> {};

// Every function and variable the image defines lies in exactly one range,
// the one of the object DWARF says it was compiled into.
TEST_P(RealMapTest, EverySymbolFallsInItsObjectsRange) {
  const LinkCase& c = GetParam();
  std::vector<ObjectRangeLite> ranges =
      ObjectRanges(LinkedMap(c.linker, c.link));
  std::vector<NmSymbol> symbols =
      NmSymbols(absl::StrCat(c.linker, "_", c.link, ".nm"));
  // The i386 image has 3 such symbols, the others 17.
  EXPECT_GE(symbols.size(), absl::string_view(c.link) == "i386" ? 3u : 17u);
  for (const NmSymbol& s : symbols) {
    EXPECT_EQ(ObjectsCovering(ranges, s.address),
              std::set<std::string>{s.object})
        << s.name << " at 0x" << std::hex << s.address;
  }
}

TEST_P(RealMapTest, RangesAreSortedNonEmptyAndAllocated) {
  const LinkCase& c = GetParam();
  std::vector<ObjectRangeLite> ranges =
      ObjectRanges(LinkedMap(c.linker, c.link));
  ASSERT_FALSE(ranges.empty());
  for (size_t i = 0; i < ranges.size(); ++i) {
    EXPECT_LT(ranges[i].begin, ranges[i].end);
    EXPECT_TRUE(absl::EndsWith(ranges[i].object, ".o")) << ranges[i].object;
    EXPECT_NE(ranges[i].object, "vmlinux.o");
    if (i > 0) {
      EXPECT_LE(ranges[i - 1].begin, ranges[i].begin);
    }
  }
}

TEST_P(RealMapTest, SectionsAreSortedByAddress) {
  const LinkCase& c = GetParam();
  LinkerMap map = ParseFixture(absl::StrCat(c.linker, "_", c.link, ".map"));
  ASSERT_GT(map.sections.size(), 5u);
  for (size_t i = 1; i < map.sections.size(); ++i) {
    EXPECT_LE(map.sections[i - 1].address, map.sections[i].address);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Links, RealMapTest,
    ::testing::Values(LinkCase{"gnu", "vmlinux_a"},
                      LinkCase{"lld", "vmlinux_a"}, LinkCase{"gnu", "builtin"},
                      LinkCase{"lld", "builtin"}, LinkCase{"gnu", "vmlinux_o"},
                      LinkCase{"lld", "vmlinux_o"}, LinkCase{"gnu", "i386"},
                      LinkCase{"lld", "i386"}),
    [](const ::testing::TestParamInfo<LinkCase>& info) {
      return absl::StrCat(info.param.linker, "_", info.param.link);
    });

TEST(RealMapTest, ThreeStaticFunctionsOfOneNameGetTheirOwnObjects) {
  for (const char* linker : {"gnu", "lld"}) {
    std::vector<ObjectRangeLite> ranges =
        ObjectRanges(LinkedMap(linker, "vmlinux_a"));
    std::set<std::string> objects;
    for (const NmSymbol& s : NmSymbols(absl::StrCat(linker, "_vmlinux_a.nm"))) {
      if (s.name != "init_once") continue;
      std::set<std::string> covering = ObjectsCovering(ranges, s.address);
      objects.insert(covering.begin(), covering.end());
    }
    EXPECT_EQ(objects, (std::set<std::string>{"fs/ext4/inode.o", "init/main.o",
                                              "kernel/sched/core.o"}))
        << linker;
  }
}

TEST(RealMapTest, GnuThinArchiveMembersAreNamedByTheirPath) {
  // GNU ld prints thin-archive members without the archive.
  LinkerMap map = ParseFixture("gnu_vmlinux_a.map");
  const MapInputSection* s =
      FindSection(map, ".text.ext4_readpage", "fs/ext4/inode.o");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->archive, "");
  const MapInputSection* ctype =
      FindSection(map, ".text.tolower_thing", "lib/ctype.o");
  ASSERT_NE(ctype, nullptr);
  EXPECT_EQ(ctype->archive, "lib/lib.a");
  EXPECT_EQ(ctype->output_section, ".text");
}

TEST(RealMapTest, LldArchiveMembersAreJoinedToTheArchiveDirectory) {
  LinkerMap a = ParseFixture("lld_vmlinux_a.map");
  const MapInputSection* s = FindSection(a, ".text", "kernel/sched/core.o");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->archive, "vmlinux.a");

  // fs/built-in.a(ext4/super.o), init/built-in.a(main.o).
  LinkerMap builtin = ParseFixture("lld_builtin.map");
  const MapInputSection* super =
      FindSection(builtin, ".rodata.ext4_name", "fs/ext4/super.o");
  ASSERT_NE(super, nullptr);
  EXPECT_EQ(super->archive, "fs/built-in.a");
  const MapInputSection* main =
      FindSection(builtin, ".init.text", "init/main.o");
  ASSERT_NE(main, nullptr);
  EXPECT_EQ(main->archive, "init/built-in.a");
  EXPECT_EQ(main->output_section, ".init.text");
  EXPECT_EQ(main->size, 4u);
  const MapInputSection* ctype =
      FindSection(builtin, ".rodata._ctype", "lib/ctype.o");
  ASSERT_NE(ctype, nullptr);
  EXPECT_EQ(ctype->archive, "lib/lib.a");
}

TEST(RealMapTest, WrappedLongInputSectionName) {
  constexpr absl::string_view kName =
      ".text.ext4_fill_super_with_a_name_long_enough_to_wrap_the_map_line";
  for (const char* linker : {"gnu", "lld"}) {
    LinkerMap map = ParseFixture(absl::StrCat(linker, "_vmlinux_a.map"));
    const MapInputSection* s = FindSection(map, kName, "fs/ext4/super.o");
    ASSERT_NE(s, nullptr) << linker;
    EXPECT_EQ(s->output_section, ".text");
    EXPECT_EQ(s->size, 0x22u);
    uint64_t nm_address = 0;
    for (const NmSymbol& sym :
         NmSymbols(absl::StrCat(linker, "_vmlinux_a.nm"))) {
      if (sym.name == kName.substr(6)) nm_address = sym.address;
    }
    EXPECT_EQ(s->address, nm_address) << linker;
  }
}

TEST(RealMapTest, DiscardedSectionsAreNotSections) {
  // "Discarded input sections" lists .exit.text (the /DISCARD/ rule) and the
  // function --gc-sections dropped, with sizes 0x4.
  std::string text = ReadFixture("gnu_vmlinux_a.map");
  ASSERT_TRUE(absl::StrContains(
      text, " .exit.text     0x0000000000000000        0x4 init/main.o"));
  ASSERT_TRUE(
      absl::StrContains(text, " .text.ext4_unused_function_removed_by_gc\n"));
  for (const char* linker : {"gnu", "lld"}) {
    for (const char* link : {"vmlinux_a", "builtin", "vmlinux_o"}) {
      LinkerMap map = LinkedMap(linker, link);
      for (const MapInputSection& s : map.sections) {
        EXPECT_NE(s.input_section, ".exit.text") << linker << " " << link;
        EXPECT_NE(s.input_section, ".text.ext4_unused_function_removed_by_gc")
            << linker << " " << link;
      }
    }
  }
}

TEST(RealMapTest, PerCpuDataAtAddressZero) {
  for (const char* linker : {"gnu", "lld"}) {
    std::vector<ObjectRangeLite> ranges =
        ObjectRanges(LinkedMap(linker, "vmlinux_o"));
    EXPECT_EQ(ObjectsCovering(ranges, 0),
              std::set<std::string>{"kernel/sched/core.o"})
        << linker;
  }
}

TEST(RealMapTest, VmlinuxOMapNamesOnlyVmlinuxO) {
  for (const char* linker : {"gnu", "lld"}) {
    LinkerMap map = ParseFixture(absl::StrCat(linker, "_vmlinux_o.map"));
    std::set<std::string> objects;
    for (const MapInputSection& s : map.sections) objects.insert(s.object);
    objects.erase("<internal>");
    EXPECT_EQ(objects, std::set<std::string>{"vmlinux.o"}) << linker;
  }
}

TEST(RealMapTest, ThirtyTwoBitMaps) {
  for (const char* linker : {"gnu", "lld"}) {
    LinkerMap map = ParseFixture(absl::StrCat(linker, "_i386.map"));
    const MapInputSection* s =
        FindSection(map, ".text.i386_function_with_a_long_section_name",
                    "arch/x86/kernel/i386.o");
    ASSERT_NE(s, nullptr) << linker;
    EXPECT_EQ(s->address, 0xc1000000u);
    EXPECT_EQ(s->size, 0xau);
  }
}

TEST(RealMapTest, GnuAndLldAgreeOnRanges) {
  for (const char* link : {"vmlinux_a", "builtin", "vmlinux_o", "i386"}) {
    std::vector<ObjectRangeLite> gnu = ObjectRanges(LinkedMap("gnu", link));
    std::vector<ObjectRangeLite> lld = ObjectRanges(LinkedMap("lld", link));
    // Both link the same objects; addresses differ where the linkers pad
    // differently, so compare the objects in address order.
    std::vector<std::string> gnu_objects, lld_objects;
    for (const auto& r : gnu) gnu_objects.push_back(r.object);
    for (const auto& r : lld) lld_objects.push_back(r.object);
    EXPECT_EQ(gnu_objects, lld_objects) << link;
  }
}

// ---- GNU ld format ----

// From the fixture's gnu_vmlinux_a.map, shortened.
constexpr absl::string_view kGnuMap =
    "Archive member included to satisfy reference by file (symbol)\n"
    "\n"
    "init/main.o                   (--whole-archive)\n"
    "lib/lib.a(ctype.o)            init/main.o (tolower_thing)\n"
    "\n"
    "Discarded input sections\n"
    "\n"
    " .exit.text     0x0000000000000000        0x4 init/main.o\n"
    " .text.ext4_unused_function_removed_by_gc\n"
    "                0x0000000000000000        0x4 fs/ext4/super.o\n"
    "\n"
    "Memory Configuration\n"
    "\n"
    "Name             Origin             Length             Attributes\n"
    "*default*        0x0000000000000000 0xffffffffffffffff\n"
    "\n"
    "Linker script and memory map\n"
    "\n"
    "                0xffffffff81001050                jiffies = "
    "sched_clock_ticks\n"
    "                0xffffffff81000000                . = "
    "0xffffffff81000000\n"
    "\n"
    ".text           0xffffffff81000000       0xe0 load address "
    "0x0000000001000000\n"
    "                0xffffffff81000000                _text = .\n"
    " *(.text.hot .text.hot.*)\n"
    " *(.text.unlikely .text.unlikely.*)\n"
    " .text.unlikely.ext4_error\n"
    "                0xffffffff81000000        0x4 fs/ext4/super.o\n"
    "                0xffffffff81000000                ext4_error\n"
    " *(.text .text.*)\n"
    " .text          0xffffffff81000010       0x4f init/main.o\n"
    "                0xffffffff81000020                start_kernel\n"
    " *fill*         0xffffffff8100005f        0x1 \n"
    " .text.tolower_thing\n"
    "                0xffffffff810000d0        0xf lib/lib.a(ctype.o)\n"
    "                0xffffffff810000e0                . = ALIGN (0x10)\n"
    "                [!provide]                        PROVIDE "
    "(__unused_provide = .)\n"
    "\n"
    ".rodata         0xffffffff81001004       0x3c load address "
    "0x0000000001001004\n"
    " *(.rodata .rodata.*)\n"
    " .rodata._ctype\n"
    "                0xffffffff81001009        0x4 lib/lib.a(ctype.o)\n"
    "                0xffffffff8100100d        0x8 QUAD 0x1234\n"
    " FILL mask 0x90909090\n"
    " *fill*         0xffffffff81001015       0x2b \n"
    "\n"
    ".data           0xffffffff81001040        0x4\n"
    " KEEP(*(.init.data))\n"
    " CONSTRUCTORS\n"
    " .data..percpu..shared_aligned\n"
    "                0xffffffff81001040        0x4 kernel/sched/core.o\n"
    "\n"
    ".data..percpu..shared_aligned\n"
    "                0x0000000000000000       0x40 load address "
    "0x0000000001001044\n"
    " COMMON         0x0000000000000000       0x40 ./kernel/fork.o\n"
    "\n"
    ".comment        0x0000000000000000       0x27\n"
    " *(.comment)\n"
    " .comment       0x0000000000000000       0x27 init/main.o\n"
    "                                         0x28 (size before relaxing)\n"
    "\n"
    "/DISCARD/\n"
    " *(.exit.text)\n"
    "LOAD vmlinux.a\n"
    "START GROUP\n"
    "LOAD lib/lib.a\n"
    "END GROUP\n"
    "OUTPUT(vmlinux elf64-x86-64)\n"
    "\n"
    ".debug_info     0x0000000000000000      0x4f7\n"
    " .debug_info    0x0000000000000000      0x1dc init/main.o\n"
    "\n"
    "Cross Reference Table\n"
    "\n"
    "Symbol                                            File\n"
    " .text          0xffffffff81000000        0x4 not/a/section.o\n";

TEST(GnuLdMapTest, ParsesInputSections) {
  absl::StatusOr<LinkerMap> map = ParseGnuLdMap(kGnuMap, "vmlinux.map");
  ASSERT_TRUE(map.ok()) << map.status();
  std::vector<std::string> lines;
  for (const MapInputSection& s : map->sections) {
    lines.push_back(absl::StrCat(s.output_section, " ", s.input_section, " 0x",
                                 absl::Hex(s.address), " 0x", absl::Hex(s.size),
                                 " ", s.object, " [", s.archive, "]"));
  }
  EXPECT_THAT(
      lines,
      ElementsAre(
          ".data..percpu..shared_aligned COMMON 0x0 0x40 kernel/fork.o []",
          ".comment .comment 0x0 0x27 init/main.o []",
          ".debug_info .debug_info 0x0 0x1dc init/main.o []",
          ".text .text.unlikely.ext4_error 0xffffffff81000000 0x4 "
          "fs/ext4/super.o []",
          ".text .text 0xffffffff81000010 0x4f init/main.o []",
          ".text .text.tolower_thing 0xffffffff810000d0 0xf lib/ctype.o "
          "[lib/lib.a]",
          ".rodata .rodata._ctype 0xffffffff81001009 0x4 lib/ctype.o "
          "[lib/lib.a]",
          ".data .data..percpu..shared_aligned 0xffffffff81001040 0x4 "
          "kernel/sched/core.o []"));
}

TEST(GnuLdMapTest, ParsesOutputSectionsIncludingWrappedNames) {
  absl::StatusOr<LinkerMap> map = ParseGnuLdMap(kGnuMap, "vmlinux.map");
  ASSERT_TRUE(map.ok()) << map.status();
  std::vector<std::string> lines;
  for (const MapOutputSection& s : map->output_sections) {
    lines.push_back(absl::StrCat(s.name, " 0x", absl::Hex(s.address), " 0x",
                                 absl::Hex(s.size)));
  }
  // /DISCARD/ has no address and is left out.
  EXPECT_THAT(lines, ElementsAre(".text 0xffffffff81000000 0xe0",
                                 ".rodata 0xffffffff81001004 0x3c",
                                 ".data 0xffffffff81001040 0x4",
                                 ".data..percpu..shared_aligned 0x0 0x40",
                                 ".comment 0x0 0x27", ".debug_info 0x0 0x4f7"));
}

TEST(GnuLdMapTest, ObjectRangesDropNonAllocatedAndEmptySections) {
  absl::StatusOr<LinkerMap> map = ParseGnuLdMap(kGnuMap, "vmlinux.map");
  ASSERT_TRUE(map.ok()) << map.status();
  std::vector<std::string> ranges;
  for (const ObjectRangeLite& r : ObjectRanges(*map)) {
    ranges.push_back(absl::StrCat("0x", absl::Hex(r.begin), "-0x",
                                  absl::Hex(r.end), " ", r.object));
  }
  EXPECT_THAT(
      ranges,
      ElementsAre("0x0-0x40 kernel/fork.o",
                  "0xffffffff81000000-0xffffffff81000004 fs/ext4/super.o",
                  "0xffffffff81000010-0xffffffff8100005f init/main.o",
                  "0xffffffff810000d0-0xffffffff810000df lib/ctype.o",
                  "0xffffffff81001009-0xffffffff8100100d lib/ctype.o",
                  "0xffffffff81001040-0xffffffff81001044 "
                  "kernel/sched/core.o"));
}

TEST(GnuLdMapTest, ThirtyTwoBitAddresses) {
  constexpr absl::string_view kMap =
      "Linker script and memory map\n"
      "\n"
      ".text           0xc1000000       0x15\n"
      " .text          0xc1000000        0x0 arch/x86/kernel/i386.o\n"
      " .text.i386_function_with_a_long_section_name\n"
      "                0xc1000000        0xa arch/x86/kernel/i386.o\n"
      "                0xc1000000                "
      "i386_function_with_a_long_section_name\n";
  absl::StatusOr<LinkerMap> map = ParseGnuLdMap(kMap, "i386.map");
  ASSERT_TRUE(map.ok()) << map.status();
  ASSERT_EQ(map->sections.size(), 2u);
  EXPECT_EQ(map->sections[1].input_section,
            ".text.i386_function_with_a_long_section_name");
  EXPECT_EQ(map->sections[1].address, 0xc1000000u);
  EXPECT_EQ(map->sections[1].size, 0xau);
}

TEST(GnuLdMapTest, EmptyMemoryMapHasNoSections) {
  absl::StatusOr<LinkerMap> map =
      ParseGnuLdMap("Linker script and memory map\n\nLOAD a.o\n", "empty.map");
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_THAT(map->sections, IsEmpty());
  EXPECT_THAT(map->output_sections, IsEmpty());
}

TEST(GnuLdMapTest, LastLineWithoutNewline) {
  absl::StatusOr<LinkerMap> map = ParseGnuLdMap(
      "Linker script and memory map\n"
      " .text          0xffffffff810005fb      0x1c3 init/main.o",
      "vmlinux.map");
  ASSERT_TRUE(map.ok()) << map.status();
  ASSERT_EQ(map->sections.size(), 1u);
  EXPECT_EQ(map->sections[0].object, "init/main.o");
  EXPECT_EQ(map->sections[0].address, 0xffffffff810005fbu);
  EXPECT_EQ(map->sections[0].size, 0x1c3u);
  EXPECT_EQ(map->sections[0].output_section, "");
}

TEST(GnuLdMapTest, LongOutputSectionNameFollowedByAnAssignment) {
  // An empty output section has no address line; an assignment that follows
  // is not one.
  absl::StatusOr<LinkerMap> map = ParseGnuLdMap(
      "Linker script and memory map\n"
      ".note.gnu.build-id\n"
      "                0xffffffff81000000                . = ALIGN (0x8)\n"
      ".text           0xffffffff81000000        0x4\n",
      "vmlinux.map");
  ASSERT_TRUE(map.ok()) << map.status();
  ASSERT_EQ(map->output_sections.size(), 1u);
  EXPECT_EQ(map->output_sections[0].name, ".text");
}

struct ErrorCase {
  const char* name;
  const char* memory_map;  // after the "Linker script and memory map" line
  const char* message;
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class GnuLdMapErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(GnuLdMapErrorTest, Rejects) {
  std::string text =
      absl::StrCat("Linker script and memory map\n\n", GetParam().memory_map);
  absl::StatusOr<LinkerMap> map = ParseGnuLdMap(text, "vmlinux.map");
  ASSERT_FALSE(map.ok());
  EXPECT_EQ(map.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(map.status().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, GnuLdMapErrorTest,
    ::testing::Values(
        ErrorCase{"BadAddress",
                  " .text          0xffffffff8100zz      0x1c3 init/main.o\n",
                  "vmlinux.map:3: bad address \"0xffffffff8100zz\" (expected "
                  "0x and 1 to 16 hex digits)"},
        ErrorCase{
            "AddressTooLong",
            " .text          0x1ffffffff810005fb      0x1c3 init/main.o\n",
            "vmlinux.map:3: bad address \"0x1ffffffff810005fb\" "
            "(expected 0x and 1 to 16 hex digits)"},
        ErrorCase{"AddressWithoutPrefix",
                  " .text          ffffffff810005fb      0x1c3 init/main.o\n",
                  "vmlinux.map:3: bad address \"ffffffff810005fb\" (expected "
                  "0x and 1 to 16 hex digits)"},
        ErrorCase{
            "BadSize",
            " .text          0xffffffff810005fb      0x1c3g init/main.o\n",
            "vmlinux.map:3: bad size \"0x1c3g\" (expected 0x and 1 to "
            "16 hex digits)"},
        ErrorCase{"MissingSize", " .text          0xffffffff810005fb\n",
                  "vmlinux.map:3: missing size after the address (expected "
                  "SECTION 0xADDRESS 0xSIZE OBJECT)"},
        ErrorCase{"MissingObject",
                  " .text          0xffffffff810005fb      0x1c3\n",
                  "vmlinux.map:3: missing object file after the size "
                  "(expected SECTION 0xADDRESS 0xSIZE OBJECT)"},
        ErrorCase{"MissingObjectOnWrappedLine",
                  " .text.ext4_fill_super\n"
                  "                0xffffffff81000060       0x22 \n",
                  "vmlinux.map:4: missing object file after the size "
                  "(expected SECTION 0xADDRESS 0xSIZE OBJECT)"},
        ErrorCase{"BadAddressOnWrappedLine",
                  " .text.ext4_fill_super\n"
                  "                0xg       0x22 fs/ext4/super.o\n",
                  "vmlinux.map:4: bad address \"0xg\" (expected 0x and 1 to "
                  "16 hex digits)"},
        ErrorCase{"WrappedNameWithoutAddressLine",
                  " .text.ext4_fill_super\n"
                  " .text          0xffffffff810005fb      0x1c3 init/main.o\n",
                  "vmlinux.map:3: input section name \".text.ext4_fill_super\" "
                  "is not followed by its address, size and object (expected "
                  "a next line of 16 spaces, 0xADDRESS 0xSIZE OBJECT)"},
        ErrorCase{"WrappedNameAtEnd", " .text.ext4_fill_super\n",
                  "vmlinux.map:3: input section name \".text.ext4_fill_super\" "
                  "is not followed by its address, size and object (expected "
                  "a next line of 16 spaces, 0xADDRESS 0xSIZE OBJECT)"},
        ErrorCase{"EndsPastTheAddressSpace",
                  " .text          0xfffffffffffffff0       0x20 init/main.o\n",
                  "vmlinux.map:3: section \".text\" at 0xfffffffffffffff0 with "
                  "size 0x20 ends past 2^64"},
        ErrorCase{"OutputSectionBadSize",
                  ".text           0xffffffff81000000       0xeX\n",
                  "vmlinux.map:3: bad size \"0xeX\" (expected 0x and 1 to 16 "
                  "hex digits)"},
        ErrorCase{"OutputSectionMissingSize",
                  ".text           0xffffffff81000000\n",
                  "vmlinux.map:3: missing size after the address (expected "
                  "NAME 0xADDRESS 0xSIZE)"},
        ErrorCase{"WrappedOutputSectionBadAddress",
                  ".data..percpu..shared_aligned\n"
                  "                0x00000000000000000000       0x40\n",
                  "vmlinux.map:4: bad address \"0x00000000000000000000\" "
                  "(expected 0x and 1 to 16 hex digits)"}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) {
      return info.param.name;
    });

TEST(GnuLdMapTest, RejectsTextWithoutMemoryMap) {
  absl::StatusOr<LinkerMap> map = ParseGnuLdMap(
      "Archive member included to satisfy reference by file (symbol)\n",
      "vmlinux.map");
  ASSERT_FALSE(map.ok());
  EXPECT_EQ(map.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(map.status().message(),
            "vmlinux.map: no \"Linker script and memory map\" line (expected "
            "a GNU ld -Map file)");
}

TEST(GnuLdMapTest, QuotesAndTruncatesLongTokens) {
  std::string address = absl::StrCat("0x", std::string(90, 'g'));
  absl::StatusOr<LinkerMap> map = ParseGnuLdMap(
      absl::StrCat("Linker script and memory map\n .text          ", address,
                   " 0x1 a.o\n"),
      "m");
  ASSERT_FALSE(map.ok());
  EXPECT_EQ(map.status().message(),
            absl::StrCat("m:2: bad address \"0x", std::string(78, 'g'),
                         "\"... (expected 0x and 1 to 16 hex digits)"));
}

// ---- lld format ----

// From the fixture's lld_builtin.map, shortened, plus lld's forms for
// linker-made sections, .eh_frame pieces and LTO members.
constexpr absl::string_view kLldMap =
    "             VMA              LMA     Size Align Out     In      Symbol\n"
    "               0                0        0     1 jiffies = "
    "sched_clock_ticks\n"
    "               0                0 ffffffff81000000     1 . = "
    "0xffffffff81000000\n"
    "ffffffff81000000          1000000       e0    16 .text\n"
    "ffffffff81000000          1000000        0     1         _text = .\n"
    "ffffffff81000000          1000000        4     1         "
    "fs/built-in.a(ext4/super.o):(.text.unlikely.ext4_error)\n"
    "ffffffff81000000          1000000        4     1                 "
    "ext4_error\n"
    "ffffffff81000010          1000010       4f    16         "
    "init/built-in.a(main.o):(.text)\n"
    "ffffffff81000060          1000060       10    16         "
    "./built-in.a(arch/x86/kernel/head64.o):(.text)\n"
    "ffffffff81000070          1000070       10    16         "
    "vmlinux.a(af_vsock.o at 1186296):(.text)\n"
    "ffffffff810000df          10000df        1     1         . = ALIGN ( 16 "
    ")\n"
    "ffffffff81001000          1001000       3c 2097152 .rodata\n"
    "ffffffff81001004          1001004        5     1         "
    "vmlinux.a(fs/ext4/super.o):(.rodata.ext4_name)\n"
    "ffffffff8100100d          100100d        8     1         QUAD ( 0x1234 )\n"
    "ffffffff81001018          1001018       28     8 .eh_frame\n"
    "ffffffff81001018          1001018       14     1         "
    "init/main.o:(.eh_frame+0x0)\n"
    "               0          1001044        4     4 .data..percpu\n"
    "               0          1001044        4     4         "
    "kernel/built-in.a(sched/core.o):(.data..percpu)\n"
    "               0                0       42     1 .comment\n"
    "               0                0       42     1         "
    "<internal>:(.comment)\n"
    "\n"
    "Cross Reference Table\n"
    "\n"
    "Symbol                                            File\n";

TEST(LldMapTest, ParsesInputSections) {
  absl::StatusOr<LinkerMap> map = ParseLldMap(kLldMap, "vmlinux.map");
  ASSERT_TRUE(map.ok()) << map.status();
  std::vector<std::string> lines;
  for (const MapInputSection& s : map->sections) {
    lines.push_back(absl::StrCat(s.output_section, " ", s.input_section, " 0x",
                                 absl::Hex(s.address), " 0x", absl::Hex(s.size),
                                 " ", s.object, " [", s.archive, "]"));
  }
  EXPECT_THAT(
      lines,
      ElementsAre(
          ".data..percpu .data..percpu 0x0 0x4 kernel/sched/core.o "
          "[kernel/built-in.a]",
          ".comment .comment 0x0 0x42 <internal> []",
          ".text .text.unlikely.ext4_error 0xffffffff81000000 0x4 "
          "fs/ext4/super.o [fs/built-in.a]",
          ".text .text 0xffffffff81000010 0x4f init/main.o [init/built-in.a]",
          ".text .text 0xffffffff81000060 0x10 arch/x86/kernel/head64.o "
          "[./built-in.a]",
          ".text .text 0xffffffff81000070 0x10 af_vsock.o [vmlinux.a]",
          ".rodata .rodata.ext4_name 0xffffffff81001004 0x5 fs/ext4/super.o "
          "[vmlinux.a]",
          ".eh_frame .eh_frame+0x0 0xffffffff81001018 0x14 init/main.o []"));
  std::vector<std::string> outputs;
  for (const MapOutputSection& s : map->output_sections) {
    outputs.push_back(absl::StrCat(s.name, " 0x", absl::Hex(s.address), " 0x",
                                   absl::Hex(s.size)));
  }
  EXPECT_THAT(outputs,
              ElementsAre(".text 0xffffffff81000000 0xe0",
                          ".rodata 0xffffffff81001000 0x3c",
                          ".eh_frame 0xffffffff81001018 0x28",
                          ".data..percpu 0x0 0x4", ".comment 0x0 0x42"));
}

TEST(LldMapTest, ObjectRangesDropInternalSections) {
  absl::StatusOr<LinkerMap> map = ParseLldMap(kLldMap, "vmlinux.map");
  ASSERT_TRUE(map.ok()) << map.status();
  std::vector<std::string> objects;
  for (const ObjectRangeLite& r : ObjectRanges(*map))
    objects.push_back(r.object);
  EXPECT_THAT(objects,
              ElementsAre("kernel/sched/core.o", "fs/ext4/super.o",
                          "init/main.o", "arch/x86/kernel/head64.o",
                          "af_vsock.o", "fs/ext4/super.o", "init/main.o"));
}

TEST(LldMapTest, ThirtyTwoBitAndLld7Headers) {
  absl::StatusOr<LinkerMap> map32 = ParseLldMap(
      "     VMA      LMA     Size Align Out     In      Symbol\n"
      "c1000000 c1000000       15    16 .text\n"
      "c1000000 c1000000        a    16         "
      "arch/x86/kernel/i386.o:(.text.i386_start)\n",
      "i386.map");
  ASSERT_TRUE(map32.ok()) << map32.status();
  ASSERT_EQ(map32->sections.size(), 1u);
  EXPECT_EQ(map32->sections[0].address, 0xc1000000u);
  EXPECT_EQ(map32->sections[0].size, 0xau);

  absl::StatusOr<LinkerMap> map7 = ParseLldMap(
      " Address          Size             Align Out     In      Symbol\n"
      "0000000000201000 0000000000000015     4 .text\n"
      "0000000000201000 000000000000000e     4         test.o:(.text)\n"
      "000000000020100e 0000000000000000     0                 local\n",
      "old.map");
  ASSERT_TRUE(map7.ok()) << map7.status();
  ASSERT_EQ(map7->sections.size(), 1u);
  EXPECT_EQ(map7->sections[0].object, "test.o");
  EXPECT_EQ(map7->sections[0].address, 0x201000u);
  EXPECT_EQ(map7->sections[0].size, 0xeu);
}

struct LldErrorCase {
  const char* name;
  const char* text;
  const char* message;
};

void PrintTo(const LldErrorCase& c, std::ostream* os) { *os << c.name; }

class LldMapErrorTest : public ::testing::TestWithParam<LldErrorCase> {};

TEST_P(LldMapErrorTest, Rejects) {
  absl::StatusOr<LinkerMap> map = ParseLldMap(GetParam().text, "vmlinux.map");
  ASSERT_FALSE(map.ok());
  EXPECT_EQ(map.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(map.status().message(), GetParam().message);
}

#define LLD_HEADER \
  "             VMA              LMA     Size Align Out     In      Symbol\n"

INSTANTIATE_TEST_SUITE_P(
    Errors, LldMapErrorTest,
    ::testing::Values(
        LldErrorCase{"NoHeader",
                     "ffffffff81000000          1000000       e0    16 .text\n",
                     "vmlinux.map:1: not an lld map header \"ffffffff81000000 "
                     "         1000000       e0    16 .text\" (expected \"VMA "
                     "LMA Size Align Out In Symbol\")"},
        LldErrorCase{"Empty", "",
                     "vmlinux.map:1: not an lld map header \"\" (expected "
                     "\"VMA LMA Size Align Out In Symbol\")"},
        LldErrorCase{"BadVma",
                     LLD_HEADER
                     "ffffffff8100000g          1000000       e0    16 .text\n",
                     "vmlinux.map:2: bad VMA \"ffffffff8100000g\" (expected 1 "
                     "to 16 hex digits)"},
        LldErrorCase{
            "BadLma",
            LLD_HEADER
            "ffffffff81000000          0x1000000       e0    16 .text\n",
            "vmlinux.map:2: bad LMA \"0x1000000\" (expected 1 to 16 "
            "hex digits)"},
        LldErrorCase{"BadSize",
                     LLD_HEADER
                     "ffffffff81000000          1000000       -1    16 .text\n",
                     "vmlinux.map:2: bad size \"-1\" (expected 1 to 16 hex "
                     "digits)"},
        LldErrorCase{"HexAlignment",
                     LLD_HEADER
                     "ffffffff81000000          1000000       e0    1f .text\n",
                     "vmlinux.map:2: bad alignment \"1f\" (expected decimal "
                     "digits)"},
        LldErrorCase{"MissingColumns", LLD_HEADER "ffffffff81000000\n",
                     "vmlinux.map:2: missing LMA (expected VMA LMA SIZE ALIGN "
                     "then a name)"},
        LldErrorCase{"MissingName",
                     LLD_HEADER
                     "ffffffff81000000          1000000       e0    16\n",
                     "vmlinux.map:2: missing name after the alignment "
                     "(expected an output section, input section or symbol)"},
        LldErrorCase{"BadIndentation",
                     LLD_HEADER
                     "ffffffff81000000          1000000       e0    16     "
                     "init/main.o:(.text)\n",
                     "vmlinux.map:2: name \"init/main.o:(.text)\" at "
                     "indentation 4 (expected 0 for Out, 8 for In or 16 for "
                     "Symbol)"},
        LldErrorCase{"EndsPastTheAddressSpace",
                     LLD_HEADER
                     "fffffffffffffff0 fffffffffffffff0       20    16         "
                     "init/main.o:(.text)\n",
                     "vmlinux.map:2: section \".text\" at 0xfffffffffffffff0 "
                     "with size 0x20 ends past 2^64"}),
    [](const ::testing::TestParamInfo<LldErrorCase>& info) {
      return info.param.name;
    });

// ---- detection ----

TEST(LinkerMapTest, DetectsTheFlavour) {
  absl::StatusOr<LinkerMap> lld =
      ParseLinkerMap(absl::StrCat("\n", kLldMap), "lld.map");
  ASSERT_TRUE(lld.ok()) << lld.status();
  EXPECT_EQ(lld->sections.size(), 8u);
  absl::StatusOr<LinkerMap> gnu = ParseLinkerMap(kGnuMap, "gnu.map");
  ASSERT_TRUE(gnu.ok()) << gnu.status();
  EXPECT_EQ(gnu->sections.size(), 8u);
  // An lld error is reported as such.
  absl::StatusOr<LinkerMap> bad =
      ParseLinkerMap(LLD_HEADER "zz 0 0 1 .text\n", "lld.map");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "lld.map:2: bad VMA \"zz\" (expected 1 to 16 hex digits)");
}

TEST(LinkerMapTest, RejectsOtherText) {
  absl::StatusOr<LinkerMap> map =
      ParseLinkerMap("ffffffff81000000 T _text\n", "System.map");
  ASSERT_FALSE(map.ok());
  EXPECT_EQ(map.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(map.status().message(),
            "System.map: not a GNU ld or lld map file (expected an lld header "
            "\"VMA LMA Size Align Out In Symbol\" or a GNU ld line \"Linker "
            "script and memory map\")");
}

TEST(LinkerMapTest, ReadMissingFileIsNotFound) {
  absl::StatusOr<LinkerMap> map =
      ReadLinkerMapFile("/nonexistent/ksym/vmlinux.map");
  ASSERT_FALSE(map.ok());
  EXPECT_EQ(map.status().code(), absl::StatusCode::kNotFound);
}

TEST(LinkerMapTest, ReadsFixtureFile) {
  absl::StatusOr<LinkerMap> map =
      ReadLinkerMapFile("symbolizer/sources/linkmap/gnu_vmlinux_a.map");
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_NE(FindSection(*map, ".text", "init/main.o"), nullptr);
}

// Maps copied through Windows end lines with "\r\n": both flavours read
// them as the toolchain wrote them.
TEST(LinkerMapTest, CrlfLineEndsReadAsTheOriginal) {
  for (const char* name :
       {"gnu_vmlinux_a.map", "lld_vmlinux_a.map", "gnu_vmlinux_o_r.map"}) {
    const std::string lf = ReadFixture(name);
    const std::string crlf = absl::StrReplaceAll(lf, {{"\n", "\r\n"}});
    absl::StatusOr<LinkerMap> a = ParseLinkerMap(lf, name);
    absl::StatusOr<LinkerMap> b = ParseLinkerMap(crlf, name);
    ASSERT_TRUE(a.ok()) << a.status();
    ASSERT_TRUE(b.ok()) << name << ": " << b.status();
    ASSERT_EQ(a->sections.size(), b->sections.size()) << name;
    ASSERT_FALSE(a->sections.empty());
    for (size_t i = 0; i < a->sections.size(); ++i) {
      EXPECT_EQ(a->sections[i].object, b->sections[i].object);
      EXPECT_EQ(a->sections[i].input_section, b->sections[i].input_section);
      EXPECT_EQ(a->sections[i].address, b->sections[i].address);
      EXPECT_EQ(a->sections[i].size, b->sections[i].size);
    }
  }
}

// Objects a linker cannot have printed are errors with file:line, in both
// flavours.
TEST(LinkerMapTest, RejectsBrokenObjectPaths) {
  struct Case {
    std::string object;
    const char* message;
  };
  const Case cases[] = {
      {std::string("init/ma\0in.o", 12),
       "object \"init/ma\\x00in.o\" has a NUL byte at byte 7"},
      {"fs/\xff\xfe.o",
       "object \"fs/\\xff\\xfe.o\" is not UTF-8 (byte 0xff at byte 3)"},
      {"vmlinux.a(init/main.o",
       "object \"vmlinux.a(init/main.o\" has unbalanced parentheses "
       "(expected a path or ARCHIVE(MEMBER))"},
      {"init/main.o)",
       "object \"init/main.o)\" has unbalanced parentheses (expected a path "
       "or ARCHIVE(MEMBER))"},
      {"a.a(b(c.o))",
       "object \"a.a(b(c.o))\" has unbalanced parentheses (expected a path "
       "or ARCHIVE(MEMBER))"},
      // Would reach the index writer as a string it cannot hold.
      {std::string(70000, 'a'),
       "object \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
       "aaaaaaaaaaaa\"... of 70000 bytes is longer than a path can be (4095, "
       "PATH_MAX - 1)"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<LinkerMap> gnu = ParseGnuLdMap(
        absl::StrCat("Linker script and memory map\n\n"
                     " .text          0xffffffff81000000       0x10 ",
                     c.object, "\n"),
        "vmlinux.map");
    ASSERT_FALSE(gnu.ok()) << c.message;
    EXPECT_EQ(gnu.status().message(), absl::StrCat("vmlinux.map:3: ",
                                                   c.message));
    absl::StatusOr<LinkerMap> lld = ParseLldMap(
        absl::StrCat(LLD_HEADER
                     "ffffffff81000000 1000000 10 16 .text\n"
                     "ffffffff81000000 1000000 10 16         ",
                     c.object, ":(.text)\n"),
        "vmlinux.map");
    ASSERT_FALSE(lld.ok()) << c.message;
    EXPECT_EQ(lld.status().message(), absl::StrCat("vmlinux.map:3: ",
                                                   c.message));
  }
  // Archive members and lld's LTO form stay accepted.
  const std::string longest(4095, 'p');
  for (const char* ok : {"lib/lib.a(ctype.o)", "vmlinux.a(init/main.o at 12)",
                         "f\xc3\xbcnf.o", longest.c_str()}) {
    EXPECT_TRUE(ParseLldMap(absl::StrCat(LLD_HEADER
                                         "ffffffff81000000 1000000 10 16 "
                                         ".text\n"
                                         "ffffffff81000000 1000000 10 16    "
                                         "     ",
                                         ok, ":(.text)\n"),
                            "vmlinux.map")
                    .ok())
        << ok;
  }
}

TEST(OverlappingSectionsTest, RealMapsHaveNone) {
  for (const char* name : {"gnu_vmlinux_a.map", "lld_vmlinux_a.map"}) {
    EXPECT_THAT(OverlappingSections(ParseFixture(name)), IsEmpty()) << name;
  }
}

TEST(OverlappingSectionsTest, FindsTwoObjectsClaimingTheSameBytes) {
  absl::StatusOr<LinkerMap> map = ParseGnuLdMap(
      "Linker script and memory map\n\n"
      ".text           0xffffffff81000000      0x100\n"
      " .text          0xffffffff81000000       0x40 init/main.o\n"
      " .text          0xffffffff81000040       0x40 kernel/fork.o\n"
      " .text          0xffffffff81000060       0x40 mm/slub.o\n"
      " .text.x        0xffffffff81000070        0x8 mm/slub.o\n"
      " .text          0xffffffff810000a0       0x10 fs/inode.o\n",
      "vmlinux.map");
  ASSERT_TRUE(map.ok()) << map.status();
  const std::vector<SectionOverlap> o = OverlappingSections(*map);
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0].first->object, "kernel/fork.o");
  EXPECT_EQ(o[0].second->object, "mm/slub.o");
  EXPECT_EQ(o[0].second->address, 0xffffffff81000060u);
}

// ---- paths ----

TEST(NormalizeObjectPathTest, Cases) {
  EXPECT_EQ(NormalizeObjectPath("", "init/main.o"), "init/main.o");
  EXPECT_EQ(NormalizeObjectPath("", "./init/main.o"), "init/main.o");
  EXPECT_EQ(NormalizeObjectPath("vmlinux.a", "fs/ext4/super.o"),
            "fs/ext4/super.o");
  EXPECT_EQ(NormalizeObjectPath("fs/built-in.a", "ext4/super.o"),
            "fs/ext4/super.o");
  EXPECT_EQ(NormalizeObjectPath("./built-in.a", "arch/hexagon/kernel/vm_ops.o"),
            "arch/hexagon/kernel/vm_ops.o");
  EXPECT_EQ(NormalizeObjectPath("lib/lib.a", "ctype.o"), "lib/ctype.o");
  EXPECT_EQ(NormalizeObjectPath("drivers/built-in.a", "../lib/x.o"), "lib/x.o");
  EXPECT_EQ(NormalizeObjectPath("", "../x.o"), "../x.o");
  EXPECT_EQ(NormalizeObjectPath("a//b/./c.a", "d.o"), "a/b/d.o");
  EXPECT_EQ(NormalizeObjectPath("/usr/lib/gcc/x86_64-linux-gnu/12/libgcc.a",
                                "_udivdi3.o"),
            "/usr/lib/gcc/x86_64-linux-gnu/12/_udivdi3.o");
  EXPECT_EQ(NormalizeObjectPath("lib/lib.a", "/abs/x.o"), "/abs/x.o");
  EXPECT_EQ(NormalizeObjectPath("", "/../x.o"), "/x.o");
}

// ---- ranges ----

MapInputSection Section(absl::string_view output, uint64_t address,
                        uint64_t size, absl::string_view object) {
  MapInputSection s;
  s.output_section = std::string(output);
  s.input_section = std::string(output);
  s.address = address;
  s.size = size;
  s.object = std::string(object);
  return s;
}

std::vector<std::string> RangeStrings(const LinkerMap& map) {
  std::vector<std::string> out;
  for (const ObjectRangeLite& r : ObjectRanges(map)) {
    out.push_back(
        absl::StrCat(absl::Hex(r.begin), "-", absl::Hex(r.end), " ", r.object));
  }
  return out;
}

TEST(ObjectRangesTest, MergesOnlyTouchingSectionsOfOneObject) {
  LinkerMap map;
  map.sections = {
      Section(".text", 0x100, 0x10, "a.o"),
      Section(".text", 0x110, 0x10, "a.o"),  // touches: merged
      Section(".text", 0x120, 0x0, "b.o"),   // empty: dropped
      Section(".text", 0x124, 0x4, "a.o"),   // after fill: a new range
      Section(".text", 0x128, 0x8, "b.o"),
      Section(".text", 0x130, 0x8, "a.o"),  // another object between
  };
  EXPECT_THAT(RangeStrings(map), ElementsAre("100-120 a.o", "124-128 a.o",
                                             "128-130 b.o", "130-138 a.o"));
}

TEST(ObjectRangesTest, ContainedSectionDoesNotShrinkTheRange) {
  LinkerMap map;
  map.sections = {Section(".text", 0x100, 0x40, "a.o"),
                  Section(".text", 0x110, 0x10, "a.o"),
                  Section(".text", 0x110, 0x8, "b.o")};
  EXPECT_THAT(RangeStrings(map), ElementsAre("100-140 a.o", "110-118 b.o"));
}

TEST(ObjectRangesTest, DropsNonAllocatedSectionsAndPseudoObjects) {
  LinkerMap map;
  map.sections = {
      Section(".comment", 0, 0x27, "a.o"),
      Section(".debug_info", 0, 0x100, "a.o"),
      Section(".zdebug_info", 0, 0x100, "a.o"),
      Section(".stab", 0, 0x10, "a.o"),
      Section(".symtab", 0, 0x10, "a.o"),
      Section(".strtab", 0, 0x10, "a.o"),
      Section(".shstrtab", 0, 0x10, "a.o"),
      Section(".note.GNU-stack", 0, 0x10, "a.o"),
      Section(".gnu.build.attributes", 0, 0x10, "a.o"),
      Section(".ARM.attributes", 0, 0x10, "a.o"),
      Section(".riscv.attributes", 0, 0x10, "a.o"),
      Section(".llvm_addrsig", 0, 0x10, "a.o"),
      Section(".GCC.command.line", 0, 0x10, "a.o"),
      Section("/DISCARD/", 0, 0x10, "a.o"),
      Section(".data..percpu", 0, 0x40, "kernel/sched/core.o"),
      Section(".text", 0x1000, 0x10, "<internal>"),
      Section(".text", 0x1010, 0x10, "linker stubs"),
      Section(".text", 0x1020, 0x10, "a.o"),
  };
  EXPECT_THAT(RangeStrings(map),
              ElementsAre("0-40 kernel/sched/core.o", "1020-1030 a.o"));
}

TEST(GnuLdMapTest, SectionEndingAtTheLastAddress) {
  // Ends at 2^64 - 1: accepted (2^64 is rejected, see EndsPastTheAddressSpace).
  absl::StatusOr<LinkerMap> map = ParseGnuLdMap(
      "Linker script and memory map\n"
      " .text          0xfffffffffffffff0        0xf init/main.o\n",
      "vmlinux.map");
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_THAT(RangeStrings(*map),
              ElementsAre("fffffffffffffff0-ffffffffffffffff init/main.o"));
}

// ---- vmlinux.o ----

TEST(ExpandRelocatableObjectTest, MovesMembersAndClipsThem) {
  LinkerMap relocatable;
  relocatable.output_sections = {{".text", 0, 0x70}, {".rodata", 0, 0x10}};
  relocatable.sections = {
      Section(".text", 0x0, 0x4f, "init/main.o"),
      Section(".text", 0x50, 0x20, "kernel/sched/core.o"),
      Section(".rodata", 0x0, 0x8, "a.o"),
      Section(".rodata", 0x8, 0x10, "b.o"),  // overstated: clipped to 0x8
  };
  relocatable.sections[2].input_section = ".rodata.str1.1";
  LinkerMap final_map;
  final_map.output_sections = {{".text", 0xffffffff81000000, 0x100}};
  final_map.sections = {
      Section(".text", 0xffffffff81000010, 0x70, "vmlinux.o"),
      Section(".rodata", 0xffffffff81001000, 0x10, "vmlinux.o"),
      Section(".init.text", 0xffffffff81002000, 0x4, "vmlinux.o"),  // unknown
      Section(".text", 0xffffffff81000080, 0x10, "arch/x86/kernel/head_64.o"),
  };
  final_map.sections[0].input_section = ".text";
  final_map.sections[1].output_section = ".rodata";
  LinkerMap expanded =
      ExpandRelocatableObject(final_map, "vmlinux.o", relocatable);
  std::vector<std::string> lines;
  for (const MapInputSection& s : expanded.sections) {
    lines.push_back(absl::StrCat(s.output_section, " ", s.input_section, " ",
                                 absl::Hex(s.address), " ", absl::Hex(s.size),
                                 " ", s.object));
  }
  EXPECT_THAT(
      lines, ElementsAre(".text .text ffffffff81000010 4f init/main.o",
                         ".text .text ffffffff81000060 20 kernel/sched/core.o",
                         ".text .text ffffffff81000080 10 "
                         "arch/x86/kernel/head_64.o",
                         ".rodata .rodata.str1.1 ffffffff81001000 8 a.o",
                         ".rodata .rodata ffffffff81001008 8 b.o",
                         ".init.text .init.text ffffffff81002000 4 vmlinux.o"));
  EXPECT_EQ(expanded.output_sections.size(), 1u);
}

TEST(ExpandRelocatableObjectTest, RealVmlinuxOLinksMatchTheDirectLinks) {
  // The same objects, linked through vmlinux.o, occupy the same ranges in
  // the same order as when linked from vmlinux.a.
  for (const char* linker : {"gnu", "lld"}) {
    std::vector<ObjectRangeLite> direct =
        ObjectRanges(LinkedMap(linker, "vmlinux_a"));
    std::vector<ObjectRangeLite> via_o =
        ObjectRanges(LinkedMap(linker, "vmlinux_o"));
    std::set<std::string> direct_objects, via_o_objects;
    for (const auto& r : direct) direct_objects.insert(r.object);
    for (const auto& r : via_o) via_o_objects.insert(r.object);
    EXPECT_EQ(direct_objects, via_o_objects) << linker;
    EXPECT_EQ(via_o_objects.size(), 5u) << linker;
  }
}

}  // namespace
}  // namespace ksym
