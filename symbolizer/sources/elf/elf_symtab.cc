#include "symbolizer/sources/elf/elf_symtab.h"

#include <gelf.h>
#include <libelf.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "symbolizer/names/qualified_name.h"
#include "symbolizer/sources/elf/elf_handle.h"

namespace ksym {
namespace {

struct SectionInfo {
  std::string name;
  uint32_t type = SHT_NULL;
  uint64_t flags = 0;
  uint64_t size = 0;
};

// binutils' coff_section_type: a few section-name prefixes, followed by '.',
// '$' or a digit (or nothing), decide the letter before the flags do. It is
// consulted for ELF files too.
char SectionNameLetter(absl::string_view name) {
  static constexpr std::pair<const char*, char> kNames[] = {
      {".drectve", 'i'}, {".edata", 'e'}, {".idata", 'i'}, {".pdata", 'p'}};
  for (const auto& [prefix, letter] : kNames) {
    if (!absl::StartsWith(name, prefix)) continue;
    size_t len = strlen(prefix);
    if (name.size() == len) return letter;
    char next = name[len];
    if (next == '.' || next == '$' || absl::ascii_isdigit(next)) return letter;
  }
  return '?';
}

// binutils' decode_section_type over the flags BFD derives from an ELF
// section header (_bfd_elf_make_section_from_shdr): SEC_HAS_CONTENTS unless
// NOBITS, SEC_LOAD for allocated sections with contents, SEC_READONLY without
// SHF_WRITE, SEC_CODE for SHF_EXECINSTR, else SEC_DATA when loaded;
// unallocated .debug*/.zdebug*/.line/.stab* sections are SEC_DEBUGGING.
char SectionFlagsLetter(uint32_t sh_type, uint64_t sh_flags,
                        absl::string_view name) {
  bool contents = sh_type != SHT_NOBITS;
  bool alloc = (sh_flags & SHF_ALLOC) != 0;
  bool readonly = (sh_flags & SHF_WRITE) == 0;
  if (sh_flags & SHF_EXECINSTR) return 't';
  if (alloc && contents) return readonly ? 'r' : 'd';
  if (!contents) return 'b';
  if (!alloc &&
      (absl::StartsWith(name, ".debug") ||
       absl::StartsWith(name, ".gnu.debuglto_.debug_") ||
       absl::StartsWith(name, ".gnu.linkonce.wi.") ||
       absl::StartsWith(name, ".zdebug") || absl::StartsWith(name, ".line") ||
       absl::StartsWith(name, ".stab") || name == ".gdb_index")) {
    return 'N';
  }
  if (readonly) return 'n';
  return '?';
}

// Symbols `nm` hides unless --special-syms (bfd_is_target_special_symbol):
// ARM and AArch64 mapping/tag symbols `$x`, `$d.foo`, ..., and RISC-V's
// `$x...`/`$d...`, `.L` labels and nameless locals.
bool IsTargetSpecialSymbol(uint16_t machine, absl::string_view name) {
  switch (machine) {
    case EM_ARM:
    case EM_AARCH64:
      if (name.size() < 2 || name[0] != '$') return false;
      if (machine == EM_AARCH64 &&
          absl::string_view("xdmfp").find(name[1]) == absl::string_view::npos) {
        return false;
      }
      if (machine == EM_ARM && !absl::ascii_islower(name[1])) return false;
      return name.size() == 2 || name[2] == '.';
    case EM_RISCV:
      return name.empty() || absl::StartsWith(name, ".L") ||
             absl::StartsWith(name, "$x") || absl::StartsWith(name, "$d");
    default:
      return false;
  }
}

// Module name from .modinfo's NUL-separated `key=value` records.
std::string ModinfoName(absl::string_view modinfo) {
  for (absl::string_view record : absl::StrSplit(modinfo, '\0')) {
    if (absl::ConsumePrefix(&record, "name=")) return std::string(record);
  }
  return "";
}

std::string BuildIdFromNote(Elf_Data* data) {
  GElf_Nhdr nhdr;
  size_t name_offset = 0;
  size_t desc_offset = 0;
  size_t offset = 0;
  const char* bytes = static_cast<const char*>(data->d_buf);
  while (offset < data->d_size) {
    size_t next = gelf_getnote(data, offset, &nhdr, &name_offset, &desc_offset);
    if (next == 0) break;
    if (nhdr.n_type == NT_GNU_BUILD_ID && nhdr.n_namesz == 4 &&
        memcmp(bytes + name_offset, "GNU", 4) == 0 && nhdr.n_descsz > 0) {
      return absl::BytesToHexString(
          absl::string_view(bytes + desc_offset, nhdr.n_descsz));
    }
    offset = next;
  }
  return "";
}

absl::StatusOr<ElfSymbolTable> ParseElf(Elf* elf, absl::string_view path) {
  absl::StatusOr<GElf_Ehdr> header = ReadElfHeader(elf, path);
  if (!header.ok()) return header.status();
  const GElf_Ehdr& ehdr = *header;
  ElfSymbolTable table;
  table.elf_class = gelf_getclass(elf) == ELFCLASS32 ? 32 : 64;
  table.relocatable = ehdr.e_type == ET_REL;
  table.arch = ElfMachineName(ehdr.e_machine, table.elf_class,
                              ehdr.e_ident[EI_DATA] == ELFDATA2MSB);

  size_t shnum = 0;
  size_t shstrndx = 0;
  if (elf_getshdrnum(elf, &shnum) != 0) {
    return LibelfError(path, "counting sections");
  }
  if (elf_getshdrstrndx(elf, &shstrndx) != 0) {
    return LibelfError(path, "finding the section name table");
  }
  std::vector<SectionInfo> sections(shnum);
  Elf_Scn* symtab = nullptr;
  GElf_Shdr symtab_shdr = {};
  size_t symtab_index = 0;
  std::vector<std::pair<size_t, Elf_Scn*>> shndx_tables;  // (sh_link, scn)
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr;
       scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr) {
      return LibelfError(path, "reading a section header");
    }
    size_t index = elf_ndxscn(scn);
    if (index >= sections.size()) continue;
    const char* name = elf_strptr(elf, shstrndx, shdr.sh_name);
    SectionInfo& info = sections[index];
    info.name = name != nullptr ? name : "";
    info.type = shdr.sh_type;
    info.flags = shdr.sh_flags;
    info.size = shdr.sh_size;
    if (shdr.sh_type == SHT_SYMTAB && symtab == nullptr) {
      symtab = scn;
      symtab_shdr = shdr;
      symtab_index = index;
    } else if (shdr.sh_type == SHT_SYMTAB_SHNDX) {
      shndx_tables.emplace_back(shdr.sh_link, scn);
    } else if (shdr.sh_type == SHT_NOTE && table.build_id.empty()) {
      if (Elf_Data* data = elf_getdata(scn, nullptr); data != nullptr) {
        table.build_id = BuildIdFromNote(data);
      }
    } else if (table.relocatable && info.name == ".modinfo" &&
               shdr.sh_type != SHT_NOBITS) {
      if (Elf_Data* data = elf_getdata(scn, nullptr); data != nullptr) {
        table.module_name = ModinfoName(absl::string_view(
            static_cast<const char*>(data->d_buf), data->d_size));
      }
    }
  }
  if (table.relocatable && table.module_name.empty()) {
    table.module_name = ModuleNameOfPath(path);
  }
  if (symtab == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": no .symtab (stripped?); use the -dbg package's vmlinux"));
  }

  Elf_Data* symbols = elf_getdata(symtab, nullptr);
  if (symbols == nullptr) return LibelfError(path, "reading .symtab");
  Elf_Data* shndx_data = nullptr;
  for (const auto& [link, scn] : shndx_tables) {
    if (link == symtab_index) {
      shndx_data = elf_getdata(scn, nullptr);
      if (shndx_data == nullptr) {
        return LibelfError(path, "reading .symtab_shndx");
      }
    }
  }
  size_t entsize = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);
  size_t count = entsize == 0 ? 0 : symtab_shdr.sh_size / entsize;
  table.symbols.reserve(count);
  int32_t file = -1;
  for (size_t i = 1; i < count; ++i) {
    GElf_Sym sym;
    Elf32_Word xndx = 0;
    if (gelf_getsymshndx(symbols, shndx_data, static_cast<int>(i), &sym,
                         &xndx) == nullptr) {
      return LibelfError(path, absl::StrCat("reading symbol ", i));
    }
    const char* name_ptr = elf_strptr(elf, symtab_shdr.sh_link, sym.st_name);
    if (name_ptr == nullptr) {
      return LibelfError(path, absl::StrCat("reading the name of symbol ", i));
    }
    absl::string_view name(name_ptr);
    uint8_t type = GELF_ST_TYPE(sym.st_info);
    uint8_t binding = GELF_ST_BIND(sym.st_info);
    if (type == STT_FILE) {
      // ld closes the input files' groups with a nameless STT_FILE before
      // its own local symbols.
      if (name.empty()) {
        file = -1;
      } else {
        table.files.emplace_back(name);
        file = static_cast<int32_t>(table.files.size() - 1);
      }
      continue;
    }
    if (type == STT_SECTION) continue;
    if (IsTargetSpecialSymbol(ehdr.e_machine, name)) continue;
    if (FindQuerySyntaxByte(name) != nullptr) {
      // No query could select it (names/qualified_name.h): left out,
      // counted for the caller to say so.
      if (table.unselectable++ == 0) {
        table.first_unselectable = std::string(name);
      }
      continue;
    }

    uint32_t shndx = sym.st_shndx;
    if (shndx == SHN_XINDEX) shndx = xndx;
    ElfSymbol& out = table.symbols.emplace_back();
    out.name = std::string(name);
    out.value = sym.st_value;
    out.size = sym.st_size;
    out.type = type;
    out.binding = binding;
    out.section_index = shndx;
    uint32_t sh_type = SHT_NULL;
    if (shndx == SHN_UNDEF) {
      out.section_name = "*UND*";
    } else if (shndx == SHN_ABS) {
      out.section_name = "*ABS*";
    } else if (shndx == SHN_COMMON) {
      out.section_name = "*COM*";
    } else if (shndx < sections.size()) {
      out.section_name = sections[shndx].name;
      out.section_flags = sections[shndx].flags;
      out.section_size = sections[shndx].size;
      sh_type = sections[shndx].type;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": symbol ", i, " (", name, ") names section ",
                       shndx, " (expected below ", sections.size(), ")"));
    }
    out.nm_type = NmTypeLetter(type, binding, shndx, sh_type, out.section_flags,
                               out.section_name);
    if (binding == STB_LOCAL) out.file = file;
  }
  return table;
}

}  // namespace

char NmTypeLetter(uint8_t type, uint8_t binding, uint32_t shndx,
                  uint32_t sh_type, uint64_t sh_flags,
                  absl::string_view section_name) {
  // The order of the checks is bfd_decode_symclass's.
  bool object = type == STT_OBJECT || type == STT_COMMON;
  if (shndx == SHN_COMMON) return 'C';
  if (shndx == SHN_UNDEF) {
    if (binding == STB_WEAK) return object ? 'v' : 'w';
    return 'U';
  }
  if (type == STT_GNU_IFUNC) return 'i';
  if (binding == STB_WEAK) return object ? 'V' : 'W';
  if (binding == STB_GNU_UNIQUE) return 'u';
  if (binding != STB_LOCAL && binding != STB_GLOBAL) return '?';
  char letter;
  if (shndx == SHN_ABS) {
    letter = 'a';
  } else {
    letter = SectionNameLetter(section_name);
    if (letter == '?') {
      letter = SectionFlagsLetter(sh_type, sh_flags, section_name);
    }
  }
  return binding == STB_GLOBAL ? absl::ascii_toupper(letter) : letter;
}

std::string ElfMachineName(uint16_t machine, int elf_class, bool big_endian) {
  bool is64 = elf_class == 64;
  switch (machine) {
    case EM_X86_64:
      return "x86_64";
    case EM_386:
      return "i386";
    case EM_AARCH64:
      return big_endian ? "aarch64_be" : "aarch64";
    case EM_ARM:
      return big_endian ? "armeb" : "arm";
    case EM_RISCV:
      return is64 ? "riscv64" : "riscv32";
    case EM_PPC64:
      return big_endian ? "ppc64" : "ppc64le";
    case EM_PPC:
      return "ppc";
    case EM_S390:
      return is64 ? "s390x" : "s390";
    case EM_MIPS:
      return is64 ? "mips64" : "mips";
    case EM_LOONGARCH:
      return is64 ? "loongarch64" : "loongarch32";
    case EM_SPARCV9:
      return "sparc64";
    case EM_SPARC:
      return "sparc";
    case EM_PARISC:
      return is64 ? "parisc64" : "parisc";
    case EM_IA_64:
      return "ia64";
    case EM_SH:
      return "sh";
    case EM_68K:
      return "m68k";
    case 0x9026:  // EM_ALPHA as Linux uses it
      return "alpha";
    default:
      return absl::StrCat("em", machine);
  }
}

std::string UnselectableNote(const ElfSymbolTable& table,
                             absl::string_view path) {
  if (table.unselectable == 0) return "";
  constexpr size_t kShown = 64;
  const absl::string_view first(table.first_unselectable);
  return absl::StrCat(
      table.unselectable, " symbol", table.unselectable == 1 ? "" : "s",
      " of ", path,
      " left out: a name holding + : @ [ ] { } * or ? (ksym's query syntax) "
      "could not be selected by any query, and no kernel's names hold them "
      "(first: \"", absl::CHexEscape(first.substr(0, kShown)),
      first.size() > kShown ? "...": "", "\")");
}

absl::StatusOr<ElfSymbolTable> ParseElfSymtab(absl::string_view bytes,
                                              absl::string_view path) {
  ElfHandle elf = ElfHandle::OverMemory(bytes);
  return ParseElf(elf.get(), path);
}

absl::StatusOr<ElfSymbolTable> ReadElfSymtabFile(const std::string& path,
                                                 const std::string& root) {
  absl::StatusOr<ElfHandle> elf = ElfHandle::OpenFile(path, root);
  if (!elf.ok()) return elf.status();
  return ParseElf(elf->get(), path);
}

absl::StatusOr<std::string> ReadElfBuildIdFile(const std::string& path,
                                               const std::string& root) {
  absl::StatusOr<ElfHandle> elf = ElfHandle::OpenFile(path, root);
  if (!elf.ok()) return elf.status();
  absl::StatusOr<GElf_Ehdr> header = ReadElfHeader(elf->get(), path);
  if (!header.ok()) return header.status();
  for (Elf_Scn* scn = elf_nextscn(elf->get(), nullptr); scn != nullptr;
       scn = elf_nextscn(elf->get(), scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr || shdr.sh_type != SHT_NOTE) {
      continue;
    }
    if (Elf_Data* data = elf_getdata(scn, nullptr); data != nullptr) {
      std::string id = BuildIdFromNote(data);
      if (!id.empty()) return id;
    }
  }
  return std::string();
}

}  // namespace ksym
