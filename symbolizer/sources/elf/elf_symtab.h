// Reads the static symbol table (.symtab) of a vmlinux or a loadable module
// (.ko) through libelf, the way `nm` sees it.
//
// Input is an ELF file; the facts taken from it look like this in
// `readelf -s` and `nm`:
//
//   Num:    Value          Size Type    Bind   Vis      Ndx Name
//   1234: ffffffff810a1b20   412 FUNC    LOCAL  DEFAULT    1 sched_tick
//   1233: 0000000000000000     0 FILE    LOCAL  DEFAULT  ABS core.c
//
//   ffffffff810a1b20 t sched_tick
//
// Every symbol gets the type letter `nm` would print (the letter the kernel's
// System.map and /proc/kallsyms use), its STT_FILE group, and its section.
// Modules (ET_REL) have section-relative values; the section name lets a
// caller relocate them with /sys/module/NAME/sections/SECTION later.
#ifndef KSYM_SYMBOLIZER_SOURCES_ELF_ELF_SYMTAB_H_
#define KSYM_SYMBOLIZER_SOURCES_ELF_ELF_SYMTAB_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ksym {

struct ElfSymbol {
  std::string name;
  uint64_t value = 0;   // address; section-relative in a .ko
  uint64_t size = 0;    // st_size
  uint8_t type = 0;     // STT_FUNC, STT_OBJECT, STT_NOTYPE, ...
  uint8_t binding = 0;  // STB_LOCAL, STB_GLOBAL, STB_WEAK, STB_GNU_UNIQUE
  // Real section index (SHN_XINDEX resolved) or SHN_UNDEF, SHN_ABS,
  // SHN_COMMON.
  uint32_t section_index = 0;
  // The section's name, or "*UND*", "*ABS*", "*COM*" as objdump prints them.
  std::string section_name;
  uint64_t section_flags = 0;  // sh_flags (SHF_ALLOC, SHF_WRITE, ...), or 0
  uint64_t section_size = 0;   // sh_size of that section, or 0
  char nm_type = '?';          // T t D d B b R r W w V v A a U C i u N n ?
  // Index into ElfSymbolTable::files of the STT_FILE symbol this local symbol
  // follows, or -1 (global symbols, locals before any named STT_FILE).
  int32_t file = -1;
};

struct ElfSymbolTable {
  std::string arch;          // "x86_64", "aarch64", ... ("em<N>" if unknown)
  int elf_class = 0;         // 32 or 64
  bool relocatable = false;  // ET_REL: a .ko or .o
  std::string build_id;      // lowercase hex of NT_GNU_BUILD_ID, or empty
  // For relocatable files: `name=` from .modinfo, else the file name without
  // its directory and ".ko..." suffix, with '-' turned into '_' as kbuild's
  // KBUILD_MODNAME does. Empty for linked files.
  std::string module_name;
  std::vector<std::string> files;  // STT_FILE names ("core.c"), in order
  // In .symtab order, without the null symbol, STT_SECTION and STT_FILE
  // symbols and the ARM/AArch64/RISC-V mapping symbols ($x, $d, ...) that nm
  // hides.
  std::vector<ElfSymbol> symbols;
  // Symbols left out of `symbols` because their names hold a byte of the
  // query syntax (IsQuerySyntaxByte, names/qualified_name.h: + : @ [ ] { }
  // * ?), which no kernel's names do and no query could select; the first
  // such name, for the caller's message (UnselectableNote).
  size_t unselectable = 0;
  std::string first_unselectable;
};

// "" when no symbol was left out, else what the build log says:
// "N symbols of PATH left out: their names hold query syntax (first: ...)".
std::string UnselectableNote(const ElfSymbolTable& table,
                             absl::string_view path);

// Parses the ELF image in `bytes`; `path` names it in error messages and
// supplies the module name fallback. `bytes` is only read, never written.
absl::StatusOr<ElfSymbolTable> ParseElfSymtab(absl::string_view bytes,
                                              absl::string_view path);

// Maps the file at `path` read-only (ELF_C_READ_MMAP, never copied whole) and
// parses it. A missing file is NotFound.
// A path under `root` (--root) is opened in the root (ElfHandle::OpenFile).
absl::StatusOr<ElfSymbolTable> ReadElfSymtabFile(const std::string& path,
                                                 const std::string& root = "");

// Only the GNU build-id (lowercase hex) of an ELF file, from its SHT_NOTE
// sections, without reading its symbols: cheap enough to check every
// candidate vmlinux or .ko. "" when it has none; InvalidArgument when the
// file is not ELF.
absl::StatusOr<std::string> ReadElfBuildIdFile(const std::string& path,
                                               const std::string& root = "");

// The letter `nm` prints for a symbol (binutils bfd_decode_symclass with the
// ELF section flags), from raw ELF facts: `shndx` as resolved, the section's
// sh_type and sh_flags and name (ignored for special indices).
char NmTypeLetter(uint8_t type, uint8_t binding, uint32_t shndx,
                  uint32_t sh_type, uint64_t sh_flags,
                  absl::string_view section_name);

// The `uname -m` style name of an ELF e_machine ("x86_64", "aarch64"...).
std::string ElfMachineName(uint16_t machine, int elf_class, bool big_endian);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_SOURCES_ELF_ELF_SYMTAB_H_
