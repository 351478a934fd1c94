#include "symbolizer/sources/elf/dwarf_lines.h"

#include <elf.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "symbolizer/sources/elf/elf_symtab.h"
#include "symbolizer/sources/elf/lines_peer_testing.h"

namespace ksym {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

// Fixtures built by the :lines_fixtures and :fixtures genrules.
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

LineTable ReadFixture(absl::string_view name) {
  absl::StatusOr<LineTable> table = ReadLineTableFile(Fixture(name));
  EXPECT_TRUE(table.ok()) << table.status();
  return table.ok() ? *std::move(table) : LineTable();
}

std::vector<std::string> Print(const std::vector<SourceFrame>& frames) {
  return testutil::PrintFrames(frames);
}

TEST(DwarfLinesTest, AgreesWithLlvmSymbolizerOnEveryByte) {
  LineTable table = ReadFixture("lines_vmlinux");
  std::map<uint64_t, std::vector<std::string>> llvm =
      testutil::ParsePeerOutput(ReadFile(Fixture("lines_vmlinux.llvm")));
  ASSERT_GT(llvm.size(), 100u);
  size_t inlined = 0;
  size_t renamed = 0;
  for (const auto& [address, theirs] : llvm) {
    std::vector<std::string> ours = Print(table.Symbolize(address));
    inlined += ours.size() > 1;
    // llvm-symbolizer names the outermost frame after the ELF symbol:
    // "lines_walk.cold" for DWARF's "lines_walk", "lines_stub" for
    // assembler code no DW_TAG_subprogram names.
    if (ours != theirs && testutil::SameButOutermostName(ours, theirs)) {
      ++renamed;
      continue;
    }
    EXPECT_EQ(ours, theirs) << absl::StrCat("0x", absl::Hex(address));
  }
  // The fixture is what makes the comparison worth something: inlined
  // chains, a .cold part and assembler code named by the symbol table.
  EXPECT_GT(inlined, 20u);
  EXPECT_GT(renamed, 0u);
}

TEST(DwarfLinesTest, ReadsTheInlineChainThroughTheHeader) {
  LineTable table = ReadFixture("lines_vmlinux");
  std::set<std::string> chains;
  for (const FunctionLines& f : table.functions) {
    for (uint64_t a = f.start; a < f.start + f.size; ++a) {
      std::vector<std::string> names;
      for (const SourceFrame& frame : table.Symbolize(a)) {
        names.push_back(frame.function);
      }
      chains.insert(absl::StrJoin(names, "<"));
    }
  }
  EXPECT_THAT(chains, Contains("clamp_index<load_slot<sum_two<lines_walk"));
  EXPECT_THAT(chains, Contains("clamp_index<load_slot<lines_init"));
}

TEST(DwarfLinesTest, StoresEachBuildPrefixAndFileOnce) {
  LineTable table = ReadFixture("lines_vmlinux");
  EXPECT_THAT(table.prefixes, Contains("/build/linux-fixture/"));
  std::set<std::string> prefixes(table.prefixes.begin(), table.prefixes.end());
  EXPECT_EQ(prefixes.size(), table.prefixes.size());
  std::set<std::pair<uint32_t, std::string>> files;
  std::vector<std::string> paths;
  for (size_t i = 1; i < table.files.size(); ++i) {
    const SourceFile& f = table.files[i];
    EXPECT_TRUE(files.emplace(f.prefix, f.path).second) << f.path;
    EXPECT_FALSE(absl::StartsWith(f.path, "/build/linux-fixture/")) << f.path;
    paths.push_back(table.FilePath(i));
  }
  EXPECT_THAT(paths,
              Contains("/build/linux-fixture/testdata/elf/lines/inline.c"));
  EXPECT_THAT(paths, Contains("/build/linux-fixture/testdata/elf/lines/"
                              "inline_helpers.h"));
}

TEST(DwarfLinesTest, SplitsAColdPartIntoASecondRangeOfOneName) {
  LineTable table = ReadFixture("lines_vmlinux");
  size_t walk_ranges = 0;
  for (const FunctionLines& f : table.functions) {
    walk_ranges += table.names[f.name] == "lines_walk";
    EXPECT_GT(f.row_count, 0u) << table.names[f.name];
  }
  EXPECT_EQ(walk_ranges, 2u);
  EXPECT_EQ(table.overlapping_functions, 0u);
}

// The .ko holds the same objects as the image: each function's code,
// section-relative, must answer what the image answers at its address.
TEST(DwarfLinesTest, ModuleAnswersSectionRelativeAsTheImage) {
  LineTable linked = ReadFixture("lines_vmlinux");
  LineTable module = ReadFixture("lines.ko");
  ASSERT_TRUE(module.relocatable);
  absl::StatusOr<ElfSymbolTable> image_syms =
      ReadElfSymtabFile(Fixture("lines_vmlinux"));
  absl::StatusOr<ElfSymbolTable> module_syms =
      ReadElfSymtabFile(Fixture("lines.ko"));
  ASSERT_TRUE(image_syms.ok()) << image_syms.status();
  ASSERT_TRUE(module_syms.ok()) << module_syms.status();
  std::map<std::string, uint64_t> image_address;
  for (const ElfSymbol& s : image_syms->symbols)
    image_address[s.name] = s.value;
  std::set<std::string> sections;
  size_t compared = 0;
  for (const ElfSymbol& s : module_syms->symbols) {
    if (s.type != STT_FUNC || s.size == 0) continue;
    uint32_t section = UINT32_MAX;
    for (size_t i = 0; i < module.sections.size(); ++i) {
      if (module.sections[i] == s.section_name) section = i;
    }
    ASSERT_NE(section, UINT32_MAX) << s.name << " in " << s.section_name;
    ASSERT_EQ(image_address.count(s.name), 1u) << s.name;
    sections.insert(s.section_name);
    for (uint64_t i = 0; i < s.size; ++i) {
      EXPECT_EQ(Print(module.Symbolize(s.value + i, section)),
                Print(linked.Symbolize(image_address[s.name] + i)))
          << s.name << "+" << i;
      ++compared;
    }
  }
  EXPECT_GT(compared, 100u);
  EXPECT_THAT(sections, Contains(".text.unlikely"));
  EXPECT_THAT(sections, Contains(".init.text"));
}

// A linked file read from a mapping (unit batches, pages let go) and from
// caller bytes must give the same table, and the bytes stay unwritten.
TEST(DwarfLinesTest, ReadsBytesAsTheFile) {
  for (const char* name : {"lines_vmlinux", "lines.ko"}) {
    std::string bytes = ReadFile(Fixture(name));
    absl::StatusOr<LineTable> table = ParseLineTable(bytes, name);
    ASSERT_TRUE(table.ok()) << table.status();
    LineTable from_file = ReadFixture(name);
    ASSERT_GT(from_file.functions.size(), 0u) << name;
    EXPECT_EQ(table->functions.size(), from_file.functions.size()) << name;
    EXPECT_EQ(table->rows.size(), from_file.rows.size()) << name;
    EXPECT_EQ(table->calls.size(), from_file.calls.size()) << name;
    for (const FunctionLines& f : from_file.functions) {
      for (uint64_t a = f.start; a < f.start + f.size; ++a) {
        EXPECT_EQ(Print(table->Symbolize(a, f.section)),
                  Print(from_file.Symbolize(a, f.section)))
            << name << " 0x" << std::hex << a;
      }
    }
    EXPECT_EQ(bytes, ReadFile(Fixture(name))) << name;  // never written
  }
}

TEST(DwarfLinesTest, RejectsFilesWithoutDwarfNamingThem) {
  absl::StatusOr<LineTable> stripped =
      ReadLineTableFile(Fixture("fixture_stripped"));
  EXPECT_EQ(stripped.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(stripped.status().message(), HasSubstr("fixture_stripped"));
  absl::StatusOr<LineTable> text = ParseLineTable("not an ELF file", "x.ko");
  EXPECT_EQ(text.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(text.status().message(), HasSubstr("x.ko"));
  EXPECT_EQ(ReadLineTableFile(Fixture("no_such_file")).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace ksym
