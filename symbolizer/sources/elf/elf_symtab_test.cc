#include "symbolizer/sources/elf/elf_symtab.h"

#include <elf.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ksym {
namespace {

using ::testing::ElementsAre;

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

ElfSymbolTable ParseFixture(absl::string_view name) {
  std::string path = Fixture(name);
  absl::StatusOr<ElfSymbolTable> table = ReadElfSymtabFile(path);
  EXPECT_TRUE(table.ok()) << table.status();
  return table.ok() ? *std::move(table) : ElfSymbolTable();
}

// The symbols as `nm -S` prints them: address and size in 16 hex digits,
// the size left out when zero, the address when undefined.
std::vector<std::string> AsNmLines(const ElfSymbolTable& table) {
  std::vector<std::string> lines;
  for (const ElfSymbol& s : table.symbols) {
    bool undefined = s.nm_type == 'U' || s.nm_type == 'w' || s.nm_type == 'v';
    std::string line =
        undefined ? std::string(16, ' ') : absl::StrFormat("%016x", s.value);
    if (s.size != 0) absl::StrAppendFormat(&line, " %016x", s.size);
    absl::StrAppendFormat(&line, " %c %s", s.nm_type, s.name);
    lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

std::vector<std::string> NmOutput(absl::string_view name) {
  std::vector<std::string> lines =
      absl::StrSplit(ReadFile(Fixture(name)), '\n', absl::SkipEmpty());
  std::sort(lines.begin(), lines.end());
  return lines;
}

const ElfSymbol* Find(const ElfSymbolTable& table, absl::string_view name,
                      int nth = 0) {
  for (const ElfSymbol& s : table.symbols) {
    if (s.name == name && nth-- == 0) return &s;
  }
  return nullptr;
}

TEST(ElfSymtabTest, LinkedImageMatchesNm) {
  ElfSymbolTable table = ParseFixture("fixture_vmlinux");
  std::vector<std::string> nm = NmOutput("fixture_vmlinux.nm");
  ASSERT_GT(nm.size(), 20u);
  EXPECT_EQ(AsNmLines(table), nm);
}

TEST(ElfSymtabTest, ModuleMatchesNm) {
  ElfSymbolTable table = ParseFixture("ksym-fixture.ko");
  std::vector<std::string> nm = NmOutput("ksym-fixture.ko.nm");
  ASSERT_GT(nm.size(), 5u);
  EXPECT_EQ(AsNmLines(table), nm);
}

TEST(ElfSymtabTest, LinkedImageHeader) {
  ElfSymbolTable table = ParseFixture("fixture_vmlinux");
#if defined(__x86_64__)
  EXPECT_EQ(table.arch, "x86_64");
#elif defined(__aarch64__)
  EXPECT_EQ(table.arch, "aarch64");
#endif
  EXPECT_EQ(table.elf_class, 8 * static_cast<int>(sizeof(void*)));
  EXPECT_FALSE(table.relocatable);
  EXPECT_EQ(table.module_name, "");
  // readelf -n prints "    Build ID: <hex>".
  std::string notes = ReadFile(Fixture("fixture_vmlinux.notes"));
  size_t at = notes.find("Build ID: ");
  ASSERT_NE(at, std::string::npos) << notes;
  std::string expected = notes.substr(at + 10, 40);
  EXPECT_EQ(table.build_id, expected);
  EXPECT_EQ(table.build_id.size(), 40u);
}

TEST(ElfSymtabTest, AddressesFixedByTheLinkerScript) {
  ElfSymbolTable table = ParseFixture("fixture_vmlinux");
  const ElfSymbol* text = Find(table, "_text");
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(text->value, 0x10000000u);
  EXPECT_EQ(text->nm_type, 'T');
  EXPECT_EQ(text->type, STT_NOTYPE);
  EXPECT_EQ(text->size, 0u);

  const ElfSymbol* init = Find(table, "core_init");
  ASSERT_NE(init, nullptr);
  EXPECT_EQ(init->value, 0x10100000u);
  EXPECT_EQ(init->section_name, ".init.text");
  EXPECT_EQ(init->section_flags, uint64_t{SHF_ALLOC | SHF_EXECINSTR});
  EXPECT_EQ(init->type, STT_FUNC);
  EXPECT_EQ(init->binding, STB_GLOBAL);

  const ElfSymbol* abs = Find(table, "fixture_abs");
  ASSERT_NE(abs, nullptr);
  EXPECT_EQ(abs->value, 0x1234u);
  EXPECT_EQ(abs->nm_type, 'A');
  EXPECT_EQ(abs->section_index, uint32_t{SHN_ABS});
  EXPECT_EQ(abs->section_name, "*ABS*");
  EXPECT_EQ(abs->section_flags, 0u);
}

TEST(ElfSymtabTest, DataKindsAndSections) {
  ElfSymbolTable table = ParseFixture("fixture_vmlinux");
  struct Expected {
    const char* name;
    char type;
    const char* section;
    uint64_t size;
  };
  for (const Expected& e : {Expected{"counter", 'D', ".data", 4},
                            Expected{"local_counter", 'd', ".data", 4},
                            Expected{"zeroed", 'B', ".bss", 64},
                            Expected{"local_zeroed", 'b', ".bss", 16},
                            Expected{"banner", 'R', ".rodata", 5},
                            Expected{"table", 'r', ".rodata", 12},
                            Expected{"weak_var", 'V', ".data", 4}}) {
    const ElfSymbol* s = Find(table, e.name);
    ASSERT_NE(s, nullptr) << e.name;
    EXPECT_EQ(s->nm_type, e.type) << e.name;
    EXPECT_EQ(s->section_name, e.section) << e.name;
    EXPECT_EQ(s->size, e.size) << e.name;
    EXPECT_EQ(s->type, STT_OBJECT) << e.name;
  }
  const ElfSymbol* bss = Find(table, "zeroed");
  ASSERT_NE(bss, nullptr);
  EXPECT_EQ(bss->section_flags, uint64_t{SHF_ALLOC | SHF_WRITE});
  EXPECT_GE(bss->value, 0x10300000u);
}

TEST(ElfSymtabTest, WeakSymbolsAndAliases) {
  ElfSymbolTable table = ParseFixture("fixture_vmlinux");
  const ElfSymbol* weak = Find(table, "weak_func");
  ASSERT_NE(weak, nullptr);
  EXPECT_EQ(weak->nm_type, 'W');
  EXPECT_EQ(weak->binding, STB_WEAK);
  EXPECT_EQ(weak->type, STT_FUNC);

  const ElfSymbol* real = Find(table, "real_func");
  const ElfSymbol* alias = Find(table, "alias_func");
  ASSERT_NE(real, nullptr);
  ASSERT_NE(alias, nullptr);
  EXPECT_EQ(alias->value, real->value);
  EXPECT_EQ(alias->size, real->size);
  EXPECT_GT(real->size, 0u);
  EXPECT_EQ(alias->nm_type, 'T');
  EXPECT_EQ(alias->section_index, real->section_index);
}

TEST(ElfSymtabTest, LocalsRecordTheirFileGroup) {
  ElfSymbolTable table = ParseFixture("fixture_vmlinux");
  // Both objects are named core.c: each STT_FILE symbol is its own group.
  EXPECT_THAT(table.files, ElementsAre("core.c", "core.c", "entry.o"));
  const ElfSymbol* first = Find(table, "helper", 0);
  const ElfSymbol* second = Find(table, "helper", 1);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(first->file, 0);
  EXPECT_EQ(second->file, 1);
  EXPECT_NE(first->value, second->value);
  EXPECT_EQ(first->nm_type, 't');
  EXPECT_EQ(second->nm_type, 't');

  const ElfSymbol* cold = Find(table, "checked.cold");
  ASSERT_NE(cold, nullptr);
  EXPECT_EQ(cold->file, 0);
  EXPECT_EQ(cold->nm_type, 't');

  // ld names the group of an object without STT_FILE after the object.
  const ElfSymbol* asm_local = Find(table, "asm_local");
  ASSERT_NE(asm_local, nullptr);
  EXPECT_EQ(asm_local->file, 2);

  // Global symbols come after every group and belong to none.
  const ElfSymbol* start = Find(table, "start");
  ASSERT_NE(start, nullptr);
  EXPECT_EQ(start->file, -1);
}

TEST(ElfSymtabTest, SectionAndFileSymbolsAreLeftOut) {
  ElfSymbolTable table = ParseFixture("ksym-fixture.ko");
  for (const ElfSymbol& s : table.symbols) {
    EXPECT_NE(s.type, STT_SECTION) << s.name;
    EXPECT_NE(s.type, STT_FILE) << s.name;
    EXPECT_FALSE(s.name.empty());
  }
  EXPECT_EQ(Find(table, ".text"), nullptr);
  EXPECT_EQ(Find(table, "mod_main.c"), nullptr);
}

TEST(ElfSymtabTest, ModuleValuesAreSectionRelative) {
  ElfSymbolTable table = ParseFixture("ksym-fixture.ko");
  EXPECT_TRUE(table.relocatable);
  EXPECT_EQ(table.module_name, "ksym_fixture");
  EXPECT_EQ(table.build_id.size(), 40u);
  EXPECT_THAT(table.files, ElementsAre("mod_main.c", "mod_util.c"));

  const ElfSymbol* init = Find(table, "fixture_init");
  ASSERT_NE(init, nullptr);
  EXPECT_EQ(init->value, 0u);
  EXPECT_EQ(init->section_name, ".init.text");
  EXPECT_EQ(init->nm_type, 'T');
  const ElfSymbol* helper = Find(table, "helper");
  ASSERT_NE(helper, nullptr);
  EXPECT_EQ(helper->value, 0u);
  EXPECT_EQ(helper->section_name, ".text");
  EXPECT_EQ(helper->file, 0);

  const ElfSymbol* undefined = Find(table, "printk");
  ASSERT_NE(undefined, nullptr);
  EXPECT_EQ(undefined->nm_type, 'U');
  EXPECT_EQ(undefined->section_index, uint32_t{SHN_UNDEF});
  EXPECT_EQ(undefined->section_name, "*UND*");

  const ElfSymbol* weak = Find(table, "optional_hook");
  ASSERT_NE(weak, nullptr);
  EXPECT_EQ(weak->nm_type, 'w');
  EXPECT_EQ(weak->binding, STB_WEAK);

  const ElfSymbol* common = Find(table, "common_var");
  ASSERT_NE(common, nullptr);
  EXPECT_EQ(common->nm_type, 'C');
  EXPECT_EQ(common->section_name, "*COM*");
  EXPECT_EQ(common->size, 4u);

  const ElfSymbol* modinfo = Find(table, "modinfo_name");
  ASSERT_NE(modinfo, nullptr);
  EXPECT_EQ(modinfo->section_name, ".modinfo");
  EXPECT_EQ(modinfo->nm_type, 'r');
}

TEST(ElfSymtabTest, ModuleNameFallsBackToTheFileName) {
  ElfSymbolTable table = ParseFixture("ksym-no-modinfo.ko");
  EXPECT_TRUE(table.relocatable);
  // kbuild's KBUILD_MODNAME turns '-' into '_'.
  EXPECT_EQ(table.module_name, "ksym_no_modinfo");
  EXPECT_EQ(table.build_id, "");
}

TEST(ElfSymtabTest, BytesAndFileGiveTheSameTable) {
  std::string path = Fixture("fixture_vmlinux");
  std::string bytes = ReadFile(path);
  const std::string original = bytes;
  absl::StatusOr<ElfSymbolTable> from_bytes = ParseElfSymtab(bytes, path);
  ASSERT_TRUE(from_bytes.ok()) << from_bytes.status();
  ElfSymbolTable from_file = ParseFixture("fixture_vmlinux");
  EXPECT_EQ(AsNmLines(*from_bytes), AsNmLines(from_file));
  EXPECT_EQ(from_bytes->files, from_file.files);
  EXPECT_EQ(from_bytes->build_id, from_file.build_id);
  EXPECT_EQ(bytes, original);
}

// A name holding query syntax cannot be selected by any query: left out
// and counted (kallsyms and System.map refuse such a line outright).
TEST(ElfSymtabTest, NamesHoldingQuerySyntaxAreLeftOutAndCounted) {
  std::string bytes = ReadFile(Fixture("fixture_vmlinux"));
  absl::StatusOr<ElfSymbolTable> clean = ParseElfSymtab(bytes, "vmlinux");
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_EQ(clean->unselectable, 0u);
  EXPECT_EQ(UnselectableNote(*clean, "vmlinux"), "");
  for (char c : std::string("+:@[]{}*?")) {
    std::string damaged = bytes;
    const std::string name("\0core_init\0", 11);
    const size_t at = damaged.find(name);
    ASSERT_NE(at, std::string::npos);
    damaged[at + 5] = c;  // core_init -> core+init, core:init, ...
    absl::StatusOr<ElfSymbolTable> t = ParseElfSymtab(damaged, "vmlinux");
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(Find(*t, "core_init"), nullptr);
    EXPECT_EQ(Find(*t, absl::StrCat("core", std::string(1, c), "init")),
              nullptr) << c;
    EXPECT_EQ(t->symbols.size() + 1, clean->symbols.size());
    EXPECT_EQ(t->unselectable, 1u);
    const std::string note = UnselectableNote(*t, "vmlinux");
    EXPECT_THAT(note, ::testing::HasSubstr("1 symbol of vmlinux left out"));
    EXPECT_THAT(note, ::testing::HasSubstr(
                          absl::StrCat("core", std::string(1, c), "init")));
  }
}

TEST(ElfSymtabTest, AArch64HidesMappingSymbols) {
  std::string bytes = ReadFile(Fixture("fixture_vmlinux"));
  absl::StatusOr<ElfSymbolTable> native = ParseElfSymtab(bytes, "vmlinux");
  ASSERT_TRUE(native.ok()) << native.status();
  ASSERT_NE(Find(*native, "$x"), nullptr);
  ASSERT_NE(Find(*native, "$d.data"), nullptr);
  // e_machine is at offset 18; little-endian, as the fixture is on x86-64.
  ASSERT_EQ(bytes[EI_DATA], ELFDATA2LSB);
  bytes[18] = static_cast<char>(EM_AARCH64 & 0xff);
  bytes[19] = static_cast<char>(EM_AARCH64 >> 8);
  absl::StatusOr<ElfSymbolTable> arm = ParseElfSymtab(bytes, "vmlinux");
  ASSERT_TRUE(arm.ok()) << arm.status();
  EXPECT_EQ(arm->arch, "aarch64");
  EXPECT_EQ(Find(*arm, "$x"), nullptr);
  EXPECT_EQ(Find(*arm, "$d.data"), nullptr);
  EXPECT_EQ(arm->symbols.size() + 2, native->symbols.size());
}

TEST(ElfSymtabTest, NotAnElfFile) {
  absl::StatusOr<ElfSymbolTable> table =
      ParseElfSymtab("ffffffff81000000 T _text\n", "System.map");
  EXPECT_EQ(table.status(),
            absl::InvalidArgumentError("System.map: not an ELF file"));
  EXPECT_EQ(ParseElfSymtab("", "empty").status(),
            absl::InvalidArgumentError("empty: not an ELF file"));
  // The magic alone is not enough.
  EXPECT_EQ(ParseElfSymtab("\x7f"
                           "ELF",
                           "magic")
                .status(),
            absl::InvalidArgumentError("magic: not an ELF file"));
}

TEST(ElfSymtabTest, TruncatedFile) {
  std::string bytes = ReadFile(Fixture("fixture_vmlinux"));
  ASSERT_GT(bytes.size(), 4096u);
  absl::StatusOr<ElfSymbolTable> table =
      ParseElfSymtab(absl::string_view(bytes).substr(0, 4096), "vmlinux");
  // ld writes the section headers last.
  EXPECT_EQ(table.status(),
            absl::InvalidArgumentError(absl::StrCat(
                "vmlinux: truncated: section headers end at byte ",
                bytes.size(), " (expected at most 4096, the file size)")));
}

TEST(ElfSymtabTest, StrippedFile) {
  std::string path = Fixture("fixture_stripped");
  EXPECT_EQ(
      ReadElfSymtabFile(path).status(),
      absl::FailedPreconditionError(absl::StrCat(
          path, ": no .symtab (stripped?); use the -dbg package's vmlinux")));
}

TEST(ElfSymtabTest, MissingFile) {
  absl::StatusOr<ElfSymbolTable> table =
      ReadElfSymtabFile("/nonexistent/vmlinux");
  EXPECT_EQ(table.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(
      absl::StartsWith(table.status().message(), "/nonexistent/vmlinux"));
}

// Cases the fixtures cannot produce on every host, straight from the rules of
// binutils' bfd_decode_symclass.
TEST(NmTypeLetterTest, SectionFlags) {
  constexpr uint64_t kText = SHF_ALLOC | SHF_EXECINSTR;
  constexpr uint64_t kData = SHF_ALLOC | SHF_WRITE;
  EXPECT_EQ(NmTypeLetter(STT_FUNC, STB_GLOBAL, 1, SHT_PROGBITS, kText, ".text"),
            'T');
  EXPECT_EQ(NmTypeLetter(STT_FUNC, STB_LOCAL, 1, SHT_PROGBITS, kText, ".text"),
            't');
  // A writable .rodata (x86-64 vmlinux) is data for nm.
  EXPECT_EQ(
      NmTypeLetter(STT_OBJECT, STB_GLOBAL, 3, SHT_PROGBITS, kData, ".rodata"),
      'D');
  EXPECT_EQ(NmTypeLetter(STT_OBJECT, STB_LOCAL, 3, SHT_PROGBITS, SHF_ALLOC,
                         "__ksymtab"),
            'r');
  // .tbss and .bss: no contents.
  EXPECT_EQ(
      NmTypeLetter(STT_TLS, STB_LOCAL, 5, SHT_NOBITS, kData | SHF_TLS, ".tbss"),
      'b');
  EXPECT_EQ(NmTypeLetter(STT_OBJECT, STB_GLOBAL, 6, SHT_NOBITS, kData,
                         ".bss..page_aligned"),
            'B');
  // Unallocated sections: debugging, read-only, writable.
  EXPECT_EQ(
      NmTypeLetter(STT_NOTYPE, STB_LOCAL, 9, SHT_PROGBITS, 0, ".debug_info"),
      'N');
  EXPECT_EQ(
      NmTypeLetter(STT_NOTYPE, STB_GLOBAL, 9, SHT_PROGBITS, 0, ".zdebug_str"),
      'N');
}

TEST(NmTypeLetterTest, UnallocatedAndNamedSections) {
  EXPECT_EQ(NmTypeLetter(STT_NOTYPE, STB_LOCAL, 9, SHT_PROGBITS, 0, ".comment"),
            'n');
  EXPECT_EQ(NmTypeLetter(STT_NOTYPE, STB_LOCAL, 9, SHT_PROGBITS, SHF_WRITE,
                         ".scratch"),
            '?');
  // coff_section_type's names win over flags, even in ELF files.
  EXPECT_EQ(
      NmTypeLetter(STT_OBJECT, STB_LOCAL, 4, SHT_PROGBITS, SHF_ALLOC, ".pdata"),
      'p');
  EXPECT_EQ(NmTypeLetter(STT_OBJECT, STB_GLOBAL, 4, SHT_PROGBITS, SHF_ALLOC,
                         ".idata$5"),
            'I');
  EXPECT_EQ(NmTypeLetter(STT_OBJECT, STB_LOCAL, 4, SHT_PROGBITS, SHF_ALLOC,
                         ".pdatax"),
            'r');
}

TEST(NmTypeLetterTest, BindingAndSpecialIndices) {
  constexpr uint64_t kText = SHF_ALLOC | SHF_EXECINSTR;
  EXPECT_EQ(
      NmTypeLetter(STT_GNU_IFUNC, STB_GLOBAL, 1, SHT_PROGBITS, kText, ".text"),
      'i');
  EXPECT_EQ(NmTypeLetter(STT_OBJECT, STB_GNU_UNIQUE, 3, SHT_PROGBITS,
                         SHF_ALLOC | SHF_WRITE, ".data"),
            'u');
  EXPECT_EQ(NmTypeLetter(STT_FUNC, STB_WEAK, 1, SHT_PROGBITS, kText, ".text"),
            'W');
  EXPECT_EQ(
      NmTypeLetter(STT_OBJECT, STB_WEAK, 3, SHT_PROGBITS, SHF_ALLOC, ".rodata"),
      'V');
  EXPECT_EQ(NmTypeLetter(STT_OBJECT, STB_WEAK, SHN_UNDEF, SHT_NULL, 0, ""),
            'v');
  EXPECT_EQ(NmTypeLetter(STT_NOTYPE, STB_WEAK, SHN_UNDEF, SHT_NULL, 0, ""),
            'w');
  EXPECT_EQ(NmTypeLetter(STT_NOTYPE, STB_GLOBAL, SHN_UNDEF, SHT_NULL, 0, ""),
            'U');
  EXPECT_EQ(NmTypeLetter(STT_OBJECT, STB_GLOBAL, SHN_COMMON, SHT_NULL, 0, ""),
            'C');
  EXPECT_EQ(NmTypeLetter(STT_NOTYPE, STB_LOCAL, SHN_ABS, SHT_NULL, 0, ""), 'a');
  EXPECT_EQ(NmTypeLetter(STT_NOTYPE, STB_GLOBAL, SHN_ABS, SHT_NULL, 0, ""),
            'A');
  EXPECT_EQ(NmTypeLetter(STT_NOTYPE, 7, 1, SHT_PROGBITS, kText, ".text"), '?');
}

TEST(ElfMachineNameTest, UnameStyle) {
  EXPECT_EQ(ElfMachineName(EM_X86_64, 64, false), "x86_64");
  EXPECT_EQ(ElfMachineName(EM_AARCH64, 64, false), "aarch64");
  EXPECT_EQ(ElfMachineName(EM_RISCV, 64, false), "riscv64");
  EXPECT_EQ(ElfMachineName(EM_PPC64, 64, false), "ppc64le");
  EXPECT_EQ(ElfMachineName(EM_PPC64, 64, true), "ppc64");
  EXPECT_EQ(ElfMachineName(EM_S390, 64, true), "s390x");
  EXPECT_EQ(ElfMachineName(EM_386, 32, false), "i386");
  EXPECT_EQ(ElfMachineName(EM_LOONGARCH, 64, false), "loongarch64");
  EXPECT_EQ(ElfMachineName(4242, 64, false), "em4242");
}

}  // namespace
}  // namespace ksym
