// Parsers for linker map files (GNU ld and lld `-Map`), which say from which
// object file every input section of vmlinux came: the kernel writes
// vmlinux.map with CONFIG_VMLINUX_MAP, and vmlinux.o.map (the `ld -r` link of
// vmlinux.o) with CONFIG_BUILTIN_MODULE_RANGES.
//
// GNU ld (ld/ldlang.c): only the "Linker script and memory map" part is read.
// Output sections start in column 0, input sections in column 1; a name of
// 14 or more characters is printed alone and its address, size and object
// follow on the next line, indented by 16:
//
//   .text           0xffffffff81000000   0xe0 load address 0x0000000001000000
//    *(.text .text.*)
//    .text          0xffffffff81000010       0x4f init/main.o
//                   0xffffffff81000020                start_kernel
//    *fill*         0xffffffff8100005f        0x1
//    .text.ext4_fill_super
//                   0xffffffff81000060       0x22 fs/ext4/super.o
//    .text.tolower  0xffffffff810000d0        0xf lib/lib.a(ctype.o)
//
// lld (lld/ELF/MapFile.cpp): a header, then VMA, LMA, size (hex) and
// alignment (decimal) on every line, followed by the output section, the
// input section (indented 8) or a symbol (indented 16). Addresses have 8
// columns on 32-bit targets; lld 7 and older print one address column
// ("Address Size Align Out In Symbol").
//
//                VMA              LMA     Size Align Out     In      Symbol
//   ffffffff81000000          1000000       e0    16 .text
//   ffffffff81000010          1000010       4f    16         vmlinux.a(init/main.o):(.text)
//   ffffffff81000020          1000020       3f     1                 start_kernel
//
// Archive members. GNU ld prints members of thin archives (kbuild's
// vmlinux.a and built-in.a, `ar cDPrST`) by their own path, `fs/ext4/super.o`,
// and members of ordinary archives as `lib/lib.a(ctype.o)` (ldmisc.c, %B).
// lld prints every member as ARCHIVE(NAME) with the name as stored, which
// for thin archives is relative to the archive's directory:
// `vmlinux.a(fs/ext4/super.o)` (6.1+), `fs/built-in.a(ext4/super.o)`
// (4.13-6.0), `./built-in.a(arch/hexagon/kernel/vm_ops.o)`, as in lld
// diagnostics on the kernel lists. Objects are normalized to the member's
// path from the build directory: the archive's directory joined with NAME.
//
// Kernels built with CONFIG_X86_KERNEL_IBT or CONFIG_LTO_CLANG link vmlinux
// from vmlinux.o (scripts/link-vmlinux.sh), so vmlinux.map names only
// `vmlinux.o`; ExpandRelocatableObject() resolves those sections through
// vmlinux.o.map, as scripts/generate_builtin_ranges.awk does.

#ifndef KSYM_SYMBOLIZER_SOURCES_LINKMAP_LINKER_MAP_H_
#define KSYM_SYMBOLIZER_SOURCES_LINKMAP_LINKER_MAP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ksym {

struct MapInputSection {
  std::string output_section;  // ".text"
  std::string input_section;   // ".text.unlikely.ext4_error", as printed
  uint64_t address = 0;
  uint64_t size = 0;
  // Path of the object from the build directory, "fs/ext4/super.o"; for
  // lld's linker-made sections "<internal>", for GNU ld stubs "linker stubs".
  std::string object;
  // The archive the map names the object in ("vmlinux.a", "lib/lib.a"), or
  // "" (always "" for thin-archive members in GNU ld maps, which do not say).
  std::string archive;
};

struct MapOutputSection {
  std::string name;
  uint64_t address = 0;
  uint64_t size = 0;
};

struct LinkerMap {
  // Sorted by address; sections at the same address keep map order.
  std::vector<MapInputSection> sections;
  // In map order; GNU ld output sections without an address (empty ones the
  // linker removed) are left out.
  std::vector<MapOutputSection> output_sections;
};

// Parses a GNU ld map. Lines of the memory map that carry no input section
// (symbols, assignments, PROVIDE, *fill*, BYTE/QUAD data, FILL, patterns
// such as ` *(.text .text.*)`, LOAD, START/END GROUP, OUTPUT(...), "(size
// before relaxing)") and every line outside it ("Archive member included",
// "Allocating common symbols", "Discarded input sections", "Memory
// Configuration", "Cross Reference Table" and what follows) are skipped, as
// are lines of no known shape. Input and output section lines are checked
// strictly.
//
// Both parsers read "\r\n" line ends (a map copied through Windows) as
// "\n".
//
// Errors: InvalidArgument "FILE:LINE: ..." for a bad address or size, a
// missing size or object, an object with a NUL byte, bytes that are not
// UTF-8 or unbalanced parentheses ("vmlinux.a(init/main.o"), a long input
// section name not followed by its address line, or a section that ends
// past 2^64; InvalidArgument "FILE:
// ..." when there is no "Linker script and memory map" line.
absl::StatusOr<LinkerMap> ParseGnuLdMap(absl::string_view text,
                                        absl::string_view filename);

// Parses an lld map. Output sections (column "Out") and input sections
// ("In", `FILE:(SECTION)`) are kept; symbols, assignments (`_text = .`) and
// data commands (`QUAD ( 0x1234 )`) are skipped. A "Cross Reference Table"
// (--cref) ends the map.
//
// Errors: InvalidArgument "FILE:LINE: ..." for a missing or unknown header,
// a bad number column, text at an indentation other than Out/In/Symbol, or
// a section that ends past 2^64, or a bad object (as for GNU ld).
absl::StatusOr<LinkerMap> ParseLldMap(absl::string_view text,
                                      absl::string_view filename);

// ParseLldMap when the first non-blank line is an lld header, otherwise
// ParseGnuLdMap. InvalidArgument "FILE: not a GNU ld or lld map file ..."
// when neither fits.
absl::StatusOr<LinkerMap> ParseLinkerMap(absl::string_view text,
                                         absl::string_view filename);

// Reads and parses a map file (ParseLinkerMap). NotFound for a missing file.
absl::StatusOr<LinkerMap> ReadLinkerMapFile(const std::string& path);

// Replaces each input section of `final_map` that came from
// `relocatable_object` ("vmlinux.o") by the input sections that the `ld -r`
// link described by `relocatable_map` put into the output section of that
// name, moved to where the final link placed it and clipped to its size.
// Sections of `relocatable_object` that `relocatable_map` does not explain
// are kept unchanged.
LinkerMap ExpandRelocatableObject(const LinkerMap& final_map,
                                  absl::string_view relocatable_object,
                                  const LinkerMap& relocatable_map);

// [begin, end) was linked from `object`. Named apart from attribution's
// ObjectRange so that this package does not depend on it.
struct ObjectRangeLite {
  uint64_t begin = 0;
  uint64_t end = 0;
  std::string object;
};

// The address ranges of each object for attribution, sorted by begin:
// input sections of size 0, of non-allocated output sections (.comment,
// .debug_*, .zdebug_*, .stab*, .symtab, .strtab, .shstrtab, .note.GNU-stack,
// .gnu.build.attributes, .gnu_debuglink, .GCC.command.line, .llvm_addrsig,
// .*.attributes such as .ARM.attributes, /DISCARD/) and of pseudo objects
// ("<internal>", "linker stubs") are dropped; a section that starts where
// the previous range of the same object ends (or inside it) extends it.
// Ranges of different objects may overlap (per-CPU data is linked at 0 on
// x86_64).
std::vector<ObjectRangeLite> ObjectRanges(const LinkerMap& map);

// Two input sections of different objects that claim the same bytes: the
// second (in address order) starts before the first ends. A linker never
// writes this; a map edited, merged or damaged does, and attribution would
// then pick one object for the shared bytes. Considers the sections
// ObjectRanges keeps. Pointers into `map`.
struct SectionOverlap {
  const MapInputSection* first;
  const MapInputSection* second;
};
std::vector<SectionOverlap> OverlappingSections(const LinkerMap& map);

// The member's path from the build directory: `member` joined to the
// directory of `archive` (none when `archive` is empty), with "." and
// "dir/.." components removed. An absolute `member` is kept as is.
std::string NormalizeObjectPath(absl::string_view archive,
                                absl::string_view member);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_SOURCES_LINKMAP_LINKER_MAP_H_
