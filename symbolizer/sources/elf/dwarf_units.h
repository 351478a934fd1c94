// Reads the DWARF compile units of a vmlinux or a .ko: each unit's source
// name, build directory, the object file it became, and the address ranges
// its code occupies. Only the unit DIEs are read, never their children, so a
// 600 MB vmlinux takes well under a second; DwarfUnitsOptions::variables
// also walks the units' scopes for their variables' addresses.
//
// A unit as `readelf --debug-dump=info` shows it (DWARF 5, Debian 6.1):
//
//   DW_AT_name     : /build/reproducible-path/linux-6.1.192/arch/x86/kernel/head_64.S
//   DW_AT_comp_dir : /build/reproducible-path/linux-6.1.192/debian/build/build_amd64_none_cloud-amd64
//   DW_AT_low_pc   : 0xffffffff81000000
//   DW_AT_high_pc  : 0x1b5
//
// gives object_path "arch/x86/kernel/head_64.o"; `kernel/sched/core.c` gives
// "kernel/sched/core.o".
#ifndef KSYM_SYMBOLIZER_SOURCES_ELF_DWARF_UNITS_H_
#define KSYM_SYMBOLIZER_SOURCES_ELF_DWARF_UNITS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "symbolizer/sources/elf/dwarf_file.h"

namespace ksym {

struct DwarfUnit {
  // Kernel-build-relative object path ("kernel/sched/core.o").
  std::string object_path;
  // True when no rule made `name` build-relative: object_path is then the
  // normalized name with its extension replaced by ".o".
  bool path_unresolved = false;
  std::string name;      // DW_AT_name as written, empty if absent
  std::string comp_dir;  // DW_AT_comp_dir, empty if absent
  uint64_t offset = 0;   // the unit header's offset in .debug_info
  uint16_t version = 0;  // DWARF version (2..5)
  // Half-open [begin, end) address ranges in DWARF order (DW_AT_low_pc/
  // DW_AT_high_pc or DW_AT_ranges, including .cold parts); empty ranges are
  // dropped. In a relocatable file (.ko) they are section-relative.
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  // Relocatable files only: range_sections[i] names the section ranges[i]
  // is relative to (".text", ".init.text", ...). Empty for linked files.
  std::vector<std::string> range_sections;
  // With DwarfUnitsOptions::variables, linked files only: the addresses of
  // the unit's variables whose location is one DW_OP_addr (file-scope and
  // function-static ones, `static struct lock_class_key __key`), ascending.
  std::vector<uint64_t> variables;
  // With DwarfUnitsOptions::license_records: the byte sizes of the unit's
  // file-scope `__UNIQUE_ID_file<N>` char arrays, in DIE order. Each is the
  // `MODNAME.file=MODFILE` .modinfo record a MODULE_LICENSE of a built-in
  // object emits (include/linux/module.h MODULE_FILE): the section is gone
  // from vmlinux, its variables stay in DWARF. Empty for units not walked.
  std::vector<uint32_t> license_records;
};

struct DwarfUnitsOptions {
  // Also walk each unit's DIE tree (its scopes: subprograms, lexical
  // blocks, inlined subroutines) for DwarfUnit::variables. Costs a walk of
  // every DIE: ~0.5 s CPU on the Debian 6.1 vmlinux (5.9M DIEs).
  bool variables = false;
  // When set, how far each unit (by DW_AT_name) is walked: not at all, its
  // file scope only (global and file-static variables), or all its scopes.
  enum class VariableWalk : uint8_t { kNone, kFileScope, kAll };
  std::function<VariableWalk(absl::string_view unit_name)> variable_walk;
  // When set, the units (by DW_AT_name) whose file scope is walked for
  // DwarfUnit::license_records; linked files only. A file-scope walk of all
  // units costs ~0.2 s CPU on the Debian 6.1 vmlinux (3.6M top-level DIEs).
  std::function<bool(absl::string_view unit_name)> license_records;
};
using VariableWalk = DwarfUnitsOptions::VariableWalk;

struct DwarfUnits {
  bool relocatable = false;
  // The source-tree prefix stripped from absolute names outside comp_dir
  // ("/build/reproducible-path/linux-6.1.192/"), or empty.
  std::string source_prefix;
  std::vector<DwarfUnit> units;  // compile and skeleton units, in file order
};

// Parses the ELF image in `bytes`, which are never written: a .ko (whose
// debug sections get relocated) or a file with SHF_COMPRESSED debug sections
// is copied first. `path` only names it in messages. Errors: not ELF →
// InvalidArgument `PATH: not an ELF file`; no .debug_info →
// FailedPrecondition `PATH: no DWARF debug info (stripped?); use the -dbg
// package's vmlinux`; malformed DWARF → InvalidArgument with libdw's message.
absl::StatusOr<DwarfUnits> ParseDwarfUnits(absl::string_view bytes,
                                           absl::string_view path,
                                           DwarfUnitsOptions options = {});

// ParseDwarfUnits over bytes the caller gives up (WithDwarfEditableBytes):
// a .ko's DWARF is relocated in place instead of in a copy.
absl::StatusOr<DwarfUnits> ParseDwarfUnitsInPlace(absl::Span<char> bytes,
                                                  absl::string_view path);

// The units of a file a WithDwarf* visitor (dwarf_file.h) has open, for a
// reader that reads more than the units in the same visit
// (dwarf_lines.h's ParseUnitsAndLinesInPlace).
absl::StatusOr<DwarfUnits> CollectDwarfUnits(const DwarfFile& file,
                                             DwarfUnitsOptions options = {});
// Maps the file read-only (a .ko privately, copy-on-write) and parses it.
// Compressed debug sections are inflated into memory.
// A missing file is NotFound.
// A path under `root` (--root) is opened in the root.
absl::StatusOr<DwarfUnits> ReadDwarfUnitsFile(
    const std::string& path, const std::string& root = "",
    DwarfUnitsOptions options = {});

// Fills object_path and path_unresolved of every unit from name and
// comp_dir: names relative to the build directory keep their path; absolute
// names (assembler files) lose comp_dir + '/', or else the source-tree
// prefix most of them share, found by where a kernel top-level directory
// (arch/, kernel/, drivers/, ... or one that relative names start with)
// begins. Returns that prefix, or "" if none was needed or found.
std::string AssignObjectPaths(std::vector<DwarfUnit>* units);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_SOURCES_ELF_DWARF_UNITS_H_
