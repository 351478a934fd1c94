#include "symbolizer/sources/elf/dwarf_units.h"

#include <elf.h>
#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "symbolizer/sources/elf/elf_symtab.h"

namespace ksym {
namespace {

using ::testing::ElementsAre;
using Ranges = std::vector<std::pair<uint64_t, uint64_t>>;

// Fixtures built by the :fixtures genrule (see BUILD.bazel).
std::string Fixture(absl::string_view name) {
  return absl::StrCat("symbolizer/sources/elf/", name);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

DwarfUnits ReadFixture(absl::string_view name) {
  absl::StatusOr<DwarfUnits> units = ReadDwarfUnitsFile(Fixture(name));
  EXPECT_TRUE(units.ok()) << units.status();
  return units.ok() ? *std::move(units) : DwarfUnits();
}

uint64_t Hex(absl::string_view text) {
  uint64_t value = 0;
  absl::ConsumePrefix(&text, "0x");
  EXPECT_TRUE(absl::SimpleHexAtoi(text, &value)) << text;
  return value;
}

Ranges Merged(Ranges ranges) {
  std::sort(ranges.begin(), ranges.end());
  Ranges out;
  for (const auto& r : ranges) {
    if (!out.empty() && r.first <= out.back().second) {
      out.back().second = std::max(out.back().second, r.second);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

struct ReadelfUnit {
  uint64_t offset = 0;
  std::string name;
  std::string comp_dir;
};

// The value of a `readelf --debug-dump=info` attribute line such as
//   <12>   DW_AT_name        : (indirect line string, offset: 0x15): a.c
std::string AttributeValue(absl::string_view line) {
  line.remove_prefix(line.find(": ") + 2);
  if (absl::StartsWith(line, "(")) line.remove_prefix(line.find("): ") + 3);
  return std::string(absl::StripTrailingAsciiWhitespace(line));
}

// Name and comp_dir of each unit's top DIE, as readelf prints them.
std::vector<ReadelfUnit> ReadelfUnits(absl::string_view dump_name) {
  std::vector<ReadelfUnit> units;
  bool in_unit_die = false;
  for (absl::string_view line :
       absl::StrSplit(ReadFile(Fixture(dump_name)), '\n')) {
    absl::string_view text = absl::StripLeadingAsciiWhitespace(line);
    if (absl::ConsumePrefix(&text, "Compilation Unit @ offset ")) {
      units.push_back({Hex(absl::StripSuffix(text, ":")), "", ""});
    } else if (absl::StartsWith(text, "<0><")) {
      in_unit_die = true;
    } else if (absl::StartsWith(text, "<1><")) {
      in_unit_die = false;
    } else if (in_unit_die && !units.empty()) {
      std::vector<absl::string_view> words =
          absl::StrSplit(text, ' ', absl::SkipEmpty());
      if (words.size() < 2) continue;
      if (words[1] == "DW_AT_name") units.back().name = AttributeValue(text);
      if (words[1] == "DW_AT_comp_dir") {
        units.back().comp_dir = AttributeValue(text);
      }
    }
  }
  return units;
}

// Unit offset -> address ranges, from `readelf --debug-dump=aranges`.
std::map<uint64_t, Ranges> ReadelfAranges(absl::string_view dump_name) {
  std::map<uint64_t, Ranges> aranges;
  uint64_t unit = 0;
  for (absl::string_view line :
       absl::StrSplit(ReadFile(Fixture(dump_name)), '\n')) {
    absl::string_view text = absl::StripLeadingAsciiWhitespace(line);
    if (absl::ConsumePrefix(&text, "Offset into .debug_info:")) {
      unit = Hex(absl::StripAsciiWhitespace(text));
      continue;
    }
    std::vector<absl::string_view> words =
        absl::StrSplit(text, ' ', absl::SkipEmpty());
    if (words.size() != 2 || words[0].size() != 16) continue;
    uint64_t start = Hex(words[0]);
    uint64_t length = Hex(words[1]);
    if (length != 0) aranges[unit].emplace_back(start, start + length);
  }
  return aranges;
}

const DwarfUnit* Covering(const DwarfUnits& units, const std::string& section,
                          uint64_t begin, uint64_t end, int* count) {
  const DwarfUnit* found = nullptr;
  *count = 0;
  for (const DwarfUnit& unit : units.units) {
    for (size_t i = 0; i < unit.ranges.size(); ++i) {
      if (units.relocatable && unit.range_sections[i] != section) continue;
      if (unit.ranges[i].first <= begin && end <= unit.ranges[i].second) {
        found = &unit;
        ++*count;
      }
    }
  }
  return found;
}

absl::string_view Basename(absl::string_view path) {
  size_t slash = path.rfind('/');
  return slash == absl::string_view::npos ? path : path.substr(slash + 1);
}

const ElfSymbol* Find(const ElfSymbolTable& table, absl::string_view name) {
  for (const ElfSymbol& s : table.symbols) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

TEST(DwarfUnitsTest, LinkedImageUnits) {
  DwarfUnits units = ReadFixture("fixture_vmlinux");
  EXPECT_FALSE(units.relocatable);
  EXPECT_EQ(units.source_prefix, "/build/linux-fixture/");
  ASSERT_EQ(units.units.size(), 3u);
  const DwarfUnit& core = units.units[0];
  EXPECT_EQ(core.name, "testdata/elf/kernel/core.c");
  EXPECT_EQ(core.comp_dir, "/build/linux-fixture");
  EXPECT_EQ(core.object_path, "testdata/elf/kernel/core.o");
  EXPECT_EQ(core.version, 5);
  EXPECT_EQ(core.offset, 0u);
  const DwarfUnit& sub = units.units[1];
  EXPECT_EQ(sub.name, "testdata/elf/kernel/sub/core.c");
  EXPECT_EQ(sub.object_path, "testdata/elf/kernel/sub/core.o");
  EXPECT_EQ(sub.version, 4);
  // The assembler file: an absolute name outside comp_dir, like head_64.S.
  const DwarfUnit& entry = units.units[2];
  EXPECT_EQ(entry.name, "/build/linux-fixture/testdata/elf/arch/entry.S");
  EXPECT_TRUE(
      absl::StartsWith(entry.comp_dir, "/build/linux-fixture/bazel-out/"))
      << entry.comp_dir;
  EXPECT_EQ(entry.object_path, "testdata/elf/arch/entry.o");
  for (const DwarfUnit& unit : units.units) {
    EXPECT_FALSE(unit.path_unresolved) << unit.name;
    EXPECT_TRUE(unit.range_sections.empty()) << unit.name;
    EXPECT_FALSE(unit.ranges.empty()) << unit.name;
  }
}

TEST(DwarfUnitsTest, LinkedImageMatchesReadelfInfo) {
  DwarfUnits units = ReadFixture("fixture_vmlinux");
  std::vector<ReadelfUnit> expected = ReadelfUnits("fixture_vmlinux.info");
  ASSERT_EQ(units.units.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(units.units[i].offset, expected[i].offset) << i;
    EXPECT_EQ(units.units[i].name, expected[i].name) << i;
    EXPECT_EQ(units.units[i].comp_dir, expected[i].comp_dir) << i;
  }
}

TEST(DwarfUnitsTest, LinkedImageMatchesReadelfAranges) {
  DwarfUnits units = ReadFixture("fixture_vmlinux");
  std::map<uint64_t, Ranges> aranges =
      ReadelfAranges("fixture_vmlinux.aranges");
  ASSERT_EQ(aranges.size(), units.units.size());
  for (const DwarfUnit& unit : units.units) {
    EXPECT_EQ(Merged(unit.ranges), Merged(aranges[unit.offset])) << unit.name;
  }
}

TEST(DwarfUnitsTest, SplitCodeGivesSeveralRanges) {
  ElfSymbolTable symbols = *ReadElfSymtabFile(Fixture("fixture_vmlinux"));
  DwarfUnits units = ReadFixture("fixture_vmlinux");
  ASSERT_EQ(units.units.size(), 3u);
  const DwarfUnit& core = units.units[0];
  // .text.unlikely (report_bad, checked.cold), .text, and .init.text.
  EXPECT_GE(Merged(core.ranges).size(), 3u);
  for (const char* name :
       {"checked", "checked.cold", "report_bad", "core_init", "real_func"}) {
    const ElfSymbol* s = Find(symbols, name);
    ASSERT_NE(s, nullptr) << name;
    int count = 0;
    EXPECT_EQ(Covering(units, "", s->value, s->value + s->size, &count), &core)
        << name;
  }
  EXPECT_THAT(
      units.units[2].ranges,
      ElementsAre(std::make_pair(Find(symbols, "asm_entry")->value,
                                 Find(symbols, "asm_local")->value + 1)));
}

// Every function lies in exactly one unit, and a local one in the unit of the
// STT_FILE group it follows.
TEST(DwarfUnitsTest, EveryFunctionLiesInItsUnit) {
  for (const char* file : {"fixture_vmlinux", "ksym-fixture.ko"}) {
    SCOPED_TRACE(file);
    ElfSymbolTable symbols = *ReadElfSymtabFile(Fixture(file));
    DwarfUnits units = ReadFixture(file);
    int functions = 0;
    for (const ElfSymbol& s : symbols.symbols) {
      if (s.type != STT_FUNC || s.size == 0) continue;
      ++functions;
      int count = 0;
      const DwarfUnit* unit =
          Covering(units, s.section_name, s.value, s.value + s.size, &count);
      ASSERT_NE(unit, nullptr) << s.name;
      EXPECT_EQ(count, 1) << s.name;
      if (s.file >= 0) {
        absl::string_view group = symbols.files[s.file];
        EXPECT_TRUE(group == Basename(unit->name) ||
                    group == Basename(unit->object_path))
            << s.name << " in " << group << " vs " << unit->name;
      }
    }
    EXPECT_GE(functions, 5);
  }
}

// With variables asked for, every data object of the image (D d B b R r)
// is a variable of exactly the unit its STT_FILE group names; without,
// no unit lists any.
TEST(DwarfUnitsTest, VariablesLieInTheirUnit) {
  ElfSymbolTable symbols = *ReadElfSymtabFile(Fixture("fixture_vmlinux"));
  for (const DwarfUnit& u : ReadFixture("fixture_vmlinux").units) {
    EXPECT_TRUE(u.variables.empty()) << u.name;
  }
  absl::StatusOr<DwarfUnits> units = ReadDwarfUnitsFile(
      Fixture("fixture_vmlinux"), "", {.variables = true});
  ASSERT_TRUE(units.ok()) << units.status();
  int objects = 0;
  for (const ElfSymbol& s : symbols.symbols) {
    if (s.type != STT_OBJECT || s.size == 0) continue;
    ++objects;
    const DwarfUnit* found = nullptr;
    int count = 0;
    for (const DwarfUnit& u : units->units) {
      EXPECT_TRUE(std::is_sorted(u.variables.begin(), u.variables.end()));
      if (std::binary_search(u.variables.begin(), u.variables.end(),
                             s.value)) {
        found = &u;
        ++count;
      }
    }
    ASSERT_NE(found, nullptr) << s.name;
    EXPECT_EQ(count, 1) << s.name;
    if (s.file >= 0) {
      EXPECT_EQ(symbols.files[s.file], Basename(found->name)) << s.name;
    }
  }
  EXPECT_GE(objects, 6);  // counter, local_counter, zeroed, ... table

  // The fixture's variables are all at file scope: a file-scope walk finds
  // the same; a unit not to be walked lists none.
  DwarfUnitsOptions options;
  options.variables = true;
  options.variable_walk = [](absl::string_view name) {
    return absl::EndsWith(name, "sub/core.c") ? VariableWalk::kNone
                                              : VariableWalk::kFileScope;
  };
  absl::StatusOr<DwarfUnits> file_scope =
      ReadDwarfUnitsFile(Fixture("fixture_vmlinux"), "", options);
  ASSERT_TRUE(file_scope.ok()) << file_scope.status();
  ASSERT_EQ(file_scope->units.size(), units->units.size());
  for (size_t u = 0; u < units->units.size(); ++u) {
    const DwarfUnit& unit = file_scope->units[u];
    if (absl::EndsWith(unit.name, "sub/core.c")) {
      EXPECT_TRUE(unit.variables.empty());
    } else {
      EXPECT_EQ(unit.variables, units->units[u].variables) << unit.name;
    }
  }
}

// kernel/core.c's `__UNIQUE_ID_file12` (a discarded .modinfo record of 22
// bytes) is found when its unit is walked; `__UNIQUE_ID_filetype13` is not
// a file record; units not walked list none.
TEST(DwarfUnitsTest, LicenseRecords) {
  for (const DwarfUnit& u : ReadFixture("fixture_vmlinux").units) {
    EXPECT_TRUE(u.license_records.empty()) << u.name;
  }
  DwarfUnitsOptions options;
  options.license_records = [](absl::string_view name) {
    return !absl::EndsWith(name, "sub/core.c");
  };
  absl::StatusOr<DwarfUnits> units =
      ReadDwarfUnitsFile(Fixture("fixture_vmlinux"), "", options);
  ASSERT_TRUE(units.ok()) << units.status();
  int found = 0;
  for (const DwarfUnit& u : units->units) {
    if (u.object_path == "testdata/elf/kernel/core.o") {
      EXPECT_THAT(u.license_records,
                  ElementsAre(sizeof("core.file=kernel/core")));
      ++found;
    } else {
      EXPECT_TRUE(u.license_records.empty()) << u.name;
    }
  }
  EXPECT_EQ(found, 1);
}

TEST(DwarfUnitsTest, ModuleRangesAreSectionRelative) {
  DwarfUnits units = ReadFixture("ksym-fixture.ko");
  EXPECT_TRUE(units.relocatable);
  EXPECT_EQ(units.source_prefix, "");
  ASSERT_EQ(units.units.size(), 2u);
  const DwarfUnit& main = units.units[0];
  EXPECT_EQ(main.name, "testdata/elf/module/mod_main.c");
  EXPECT_EQ(main.comp_dir, "/build/linux-fixture");
  EXPECT_EQ(main.object_path, "testdata/elf/module/mod_main.o");
  ElfSymbolTable symbols = *ReadElfSymtabFile(Fixture("ksym-fixture.ko"));
  const ElfSymbol* init = Find(symbols, "fixture_init");
  ASSERT_NE(init, nullptr);
  ASSERT_EQ(main.ranges.size(), main.range_sections.size());
  // The only function in .init.text: its range starts the section.
  bool found = false;
  for (size_t i = 0; i < main.ranges.size(); ++i) {
    if (main.range_sections[i] != ".init.text") continue;
    found = true;
    EXPECT_EQ(main.ranges[i], std::make_pair(uint64_t{0}, init->size));
  }
  EXPECT_TRUE(found);
  const DwarfUnit& util = units.units[1];
  EXPECT_EQ(util.object_path, "testdata/elf/module/mod_util.o");
  EXPECT_THAT(util.range_sections, ElementsAre(".text"));
  // Linked after mod_main.o, its code starts at its first function (the
  // local helper), not at 0.
  uint64_t first = ~uint64_t{0};
  for (const ElfSymbol& s : symbols.symbols) {
    if (s.type == STT_FUNC && s.section_name == ".text" &&
        (s.file == 1 || s.name == "mod_util")) {
      first = std::min(first, s.value);
    }
  }
  ASSERT_EQ(util.ranges.size(), 1u);
  EXPECT_EQ(util.ranges[0].first, first);
  EXPECT_GT(first, 0u);
}

TEST(DwarfUnitsTest, ModuleMatchesReadelfInfo) {
  // readelf applies a relocatable file's .rela.debug_* too.
  DwarfUnits units = ReadFixture("ksym-fixture.ko");
  std::vector<ReadelfUnit> expected = ReadelfUnits("ksym-fixture.ko.info");
  ASSERT_EQ(units.units.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(units.units[i].offset, expected[i].offset) << i;
    EXPECT_EQ(units.units[i].name, expected[i].name) << i;
    EXPECT_EQ(units.units[i].comp_dir, expected[i].comp_dir) << i;
  }
}

TEST(DwarfUnitsTest, BytesAndFileAgree) {
  for (const char* file : {"fixture_vmlinux", "ksym-fixture.ko"}) {
    SCOPED_TRACE(file);
    std::string path = Fixture(file);
    std::string bytes = ReadFile(path);
    const std::string original = bytes;
    absl::StatusOr<DwarfUnits> from_bytes = ParseDwarfUnits(bytes, path);
    ASSERT_TRUE(from_bytes.ok()) << from_bytes.status();
    DwarfUnits from_file = ReadFixture(file);
    ASSERT_EQ(from_bytes->units.size(), from_file.units.size());
    for (size_t i = 0; i < from_file.units.size(); ++i) {
      EXPECT_EQ(from_bytes->units[i].name, from_file.units[i].name);
      EXPECT_EQ(from_bytes->units[i].ranges, from_file.units[i].ranges);
      EXPECT_EQ(from_bytes->units[i].range_sections,
                from_file.units[i].range_sections);
    }
    // Relocating a .ko must not write into the caller's bytes.
    EXPECT_EQ(bytes, original);
  }
}

// In place (the loadable-module stage's debug .ko, mapped copy-on-write):
// the same units as from a copy, plain or with compressed debug sections.
TEST(DwarfUnitsTest, InPlaceAgreesWithACopy) {
  for (const char* file :
       {"fixture_vmlinux", "ksym-fixture.ko", "fixture_vmlinux.zdebug",
        "ksym-fixture.ko.zdebug"}) {
    SCOPED_TRACE(file);
    std::string path = Fixture(file);
    std::string bytes = ReadFile(path);
    absl::StatusOr<DwarfUnits> copied = ParseDwarfUnits(bytes, path);
    ASSERT_TRUE(copied.ok()) << copied.status();
    absl::StatusOr<DwarfUnits> in_place =
        ParseDwarfUnitsInPlace(absl::MakeSpan(bytes), path);
    ASSERT_TRUE(in_place.ok()) << in_place.status();
    EXPECT_EQ(in_place->source_prefix, copied->source_prefix);
    ASSERT_EQ(in_place->units.size(), copied->units.size());
    ASSERT_FALSE(copied->units.empty());
    for (size_t i = 0; i < copied->units.size(); ++i) {
      EXPECT_EQ(in_place->units[i].name, copied->units[i].name);
      EXPECT_EQ(in_place->units[i].object_path, copied->units[i].object_path);
      EXPECT_EQ(in_place->units[i].ranges, copied->units[i].ranges);
      EXPECT_EQ(in_place->units[i].range_sections,
                copied->units[i].range_sections);
    }
  }
  // The errors are ParseDwarfUnits' own.
  std::string text = "not an ELF file";
  EXPECT_EQ(ParseDwarfUnitsInPlace(absl::MakeSpan(text), "x.ko").status(),
            ParseDwarfUnits("not an ELF file", "x.ko").status());
}

// Debug sections compressed with SHF_COMPRESSED (objcopy
// --compress-debug-sections, or the kernel's CONFIG_DEBUG_INFO_COMPRESSED).
TEST(DwarfUnitsTest, CompressedDebugSections) {
  for (const char* file : {"fixture_vmlinux", "ksym-fixture.ko"}) {
    SCOPED_TRACE(file);
    DwarfUnits plain = ReadFixture(file);
    std::string path = Fixture(absl::StrCat(file, ".zdebug"));
    std::string bytes = ReadFile(path);
    const std::string original = bytes;
    for (absl::StatusOr<DwarfUnits> units :
         {ReadDwarfUnitsFile(path), ParseDwarfUnits(bytes, path)}) {
      ASSERT_TRUE(units.ok()) << units.status();
      ASSERT_EQ(units->units.size(), plain.units.size());
      for (size_t i = 0; i < plain.units.size(); ++i) {
        EXPECT_EQ(units->units[i].name, plain.units[i].name);
        EXPECT_EQ(units->units[i].object_path, plain.units[i].object_path);
        EXPECT_EQ(units->units[i].ranges, plain.units[i].ranges);
        EXPECT_EQ(units->units[i].range_sections,
                  plain.units[i].range_sections);
      }
    }
    EXPECT_EQ(bytes, original);
  }
}

// File offset and size of .debug_info in an ELF image.
std::pair<size_t, size_t> DebugInfoSection(std::string bytes) {
  elf_version(EV_CURRENT);
  Elf* elf = elf_memory(bytes.data(), bytes.size());
  size_t shstrndx = 0;
  std::pair<size_t, size_t> found = {0, 0};
  EXPECT_EQ(elf_getshdrstrndx(elf, &shstrndx), 0);
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr;
       scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    gelf_getshdr(scn, &shdr);
    if (absl::string_view(elf_strptr(elf, shstrndx, shdr.sh_name)) ==
        ".debug_info") {
      found = {shdr.sh_offset, shdr.sh_size};
    }
  }
  elf_end(elf);
  EXPECT_NE(found.second, 0u);
  return found;
}

TEST(DwarfUnitsTest, UnitLongerThanDebugInfo) {
  std::string bytes = ReadFile(Fixture("fixture_vmlinux"));
  auto [offset, size] = DebugInfoSection(bytes);
  // The first unit's 32-bit unit_length.
  const char length[4] = {'\xff', '\xff', '\xff', '\x7f'};
  bytes.replace(offset, 4, length, 4);
  EXPECT_EQ(ParseDwarfUnits(bytes, "vmlinux").status(),
            absl::InvalidArgumentError(absl::StrFormat(
                "vmlinux: unit at 0x0 runs past the end of .debug_info (ends "
                "at 0x80000003, expected at most 0x%x)",
                size)));
}

TEST(DwarfUnitsTest, UnknownDwarfVersion) {
  std::string bytes = ReadFile(Fixture("fixture_vmlinux"));
  auto [offset, size] = DebugInfoSection(bytes);
  bytes[offset + 4] = 99;  // the version, after unit_length
  bytes[offset + 5] = 0;
  EXPECT_EQ(ParseDwarfUnits(bytes, "vmlinux").status(),
            absl::InvalidArgumentError(
                "vmlinux: reading a unit header: invalid DWARF version"));
}

TEST(DwarfUnitsTest, NotAnElfFile) {
  EXPECT_EQ(ParseDwarfUnits("not elf", "vmlinux.txt").status(),
            absl::InvalidArgumentError("vmlinux.txt: not an ELF file"));
  EXPECT_EQ(ParseDwarfUnits("", "empty").status(),
            absl::InvalidArgumentError("empty: not an ELF file"));
}

TEST(DwarfUnitsTest, TruncatedFile) {
  std::string bytes = ReadFile(Fixture("fixture_vmlinux"));
  EXPECT_EQ(ParseDwarfUnits(absl::string_view(bytes).substr(0, 1000), "vmlinux")
                .status(),
            absl::InvalidArgumentError(absl::StrCat(
                "vmlinux: truncated: section headers end at byte ",
                bytes.size(), " (expected at most 1000, the file size)")));
}

TEST(DwarfUnitsTest, StrippedFile) {
  std::string path = Fixture("fixture_stripped");
  EXPECT_EQ(ReadDwarfUnitsFile(path).status(),
            absl::FailedPreconditionError(
                absl::StrCat(path,
                             ": no DWARF debug info (stripped?); use the -dbg "
                             "package's vmlinux")));
}

TEST(DwarfUnitsTest, MissingFile) {
  EXPECT_EQ(ReadDwarfUnitsFile("/nonexistent/vmlinux").status().code(),
            absl::StatusCode::kNotFound);
}

DwarfUnit Unit(absl::string_view name, absl::string_view comp_dir) {
  DwarfUnit unit;
  unit.name = std::string(name);
  unit.comp_dir = std::string(comp_dir);
  return unit;
}

// The names and directories of Debian's 6.1 cloud kernel (an O= build under
// the source tree; C files relative, assembler files absolute).
TEST(AssignObjectPathsTest, DebianLayout) {
  std::vector<DwarfUnit> units = {
      Unit("/build/reproducible-path/linux-6.1.192/arch/x86/kernel/head_64.S",
           "/build/reproducible-path/linux-6.1.192/debian/build/"
           "build_amd64_none_cloud-amd64"),
      Unit("arch/x86/kernel/head64.c",
           "debian/build/build_amd64_none_cloud-amd64"),
      Unit("kernel/sched/core.c", "debian/build/build_amd64_none_cloud-amd64"),
      Unit("/build/reproducible-path/linux-6.1.192/arch/x86/entry/entry_64.S",
           "/build/reproducible-path/linux-6.1.192/debian/build/"
           "build_amd64_none_cloud-amd64"),
  };
  EXPECT_EQ(AssignObjectPaths(&units),
            "/build/reproducible-path/linux-6.1.192/");
  EXPECT_EQ(units[0].object_path, "arch/x86/kernel/head_64.o");
  EXPECT_EQ(units[1].object_path, "arch/x86/kernel/head64.o");
  EXPECT_EQ(units[2].object_path, "kernel/sched/core.o");
  EXPECT_EQ(units[3].object_path, "arch/x86/entry/entry_64.o");
  for (const DwarfUnit& unit : units) EXPECT_FALSE(unit.path_unresolved);
}

TEST(AssignObjectPathsTest, AbsoluteNameUnderCompDir) {
  std::vector<DwarfUnit> units = {
      Unit("/home/dev/linux/init/main.c", "/home/dev/linux"),
      Unit("/home/dev/linux/arch/x86/kernel/head_64.S", "/home/dev/linux/"),
  };
  EXPECT_EQ(AssignObjectPaths(&units), "");
  EXPECT_EQ(units[0].object_path, "init/main.o");
  EXPECT_EQ(units[1].object_path, "arch/x86/kernel/head_64.o");
}

TEST(AssignObjectPathsTest, DotAndDotDotComponents) {
  std::vector<DwarfUnit> units = {
      Unit("./kernel/fork.c", "/src/obj"),
      Unit("../linux/kernel/exit.c", "/src/obj"),
      Unit("lib/../mm/slub.c", "/src/obj"),
  };
  EXPECT_EQ(AssignObjectPaths(&units), "/src/linux/");
  EXPECT_EQ(units[0].object_path, "kernel/fork.o");
  EXPECT_EQ(units[1].object_path, "kernel/exit.o");
  EXPECT_FALSE(units[1].path_unresolved);
  EXPECT_EQ(units[2].object_path, "mm/slub.o");
}

// A tree below a directory that is also named like a kernel directory: the
// cut whose remainder follows known directories wins.
TEST(AssignObjectPathsTest, TopLevelNameHigherUp) {
  std::vector<DwarfUnit> units = {
      Unit("kernel/fork.c", "/obj"),
      Unit("/home/kernel/src/linux/kernel/entry.S", "/obj"),
      Unit("/home/kernel/src/linux/arch/x86/head.S", "/obj"),
  };
  EXPECT_EQ(AssignObjectPaths(&units), "/home/kernel/src/linux/");
  EXPECT_EQ(units[1].object_path, "kernel/entry.o");
  EXPECT_EQ(units[2].object_path, "arch/x86/head.o");
}

TEST(AssignObjectPathsTest, UnresolvedNamesAreKeptAndFlagged) {
  std::vector<DwarfUnit> units = {
      Unit("/a/linux/kernel/x.S", "/obj"),
      Unit("/a/linux/mm/y.S", "/obj"),
      Unit("/b/linux/fs/z.S", "/obj"),         // outvoted prefix
      Unit("/opt/generated/table.S", "/obj"),  // no kernel directory at all
      Unit("../outside.c", ""),                // relative to an unknown dir
      Unit("", "/obj"),                        // no DW_AT_name
  };
  EXPECT_EQ(AssignObjectPaths(&units), "/a/linux/");
  EXPECT_EQ(units[0].object_path, "kernel/x.o");
  EXPECT_EQ(units[1].object_path, "mm/y.o");
  EXPECT_FALSE(units[1].path_unresolved);
  EXPECT_EQ(units[2].object_path, "/b/linux/fs/z.o");
  EXPECT_TRUE(units[2].path_unresolved);
  EXPECT_EQ(units[3].object_path, "/opt/generated/table.o");
  EXPECT_TRUE(units[3].path_unresolved);
  EXPECT_EQ(units[4].object_path, "../outside.o");
  EXPECT_TRUE(units[4].path_unresolved);
  EXPECT_EQ(units[5].object_path, "");
  EXPECT_TRUE(units[5].path_unresolved);
}

TEST(AssignObjectPathsTest, Extensions) {
  std::vector<DwarfUnit> units = {
      Unit(".vmlinux.export.c", "/obj"),
      Unit("lib/dir.d/noext", "/obj"),
      Unit("arch/x86/lib/memcpy_64.S", "/obj"),
      Unit("drivers/gpu/drm/foo.mod.c", "/obj"),
  };
  EXPECT_EQ(AssignObjectPaths(&units), "");
  EXPECT_EQ(units[0].object_path, ".vmlinux.export.o");
  EXPECT_EQ(units[1].object_path, "lib/dir.d/noext.o");
  EXPECT_EQ(units[2].object_path, "arch/x86/lib/memcpy_64.o");
  EXPECT_EQ(units[3].object_path, "drivers/gpu/drm/foo.mod.o");
}

}  // namespace
}  // namespace ksym
