// Reads, through libdw, the line rows and inline trees of every function of
// one ELF file (a vmlinux, or a debug .ko whose addresses come out
// section-relative) into a LineTable (line_table.h):
//
//  - every DW_TAG_subprogram with code, one FunctionLines per contiguous
//    range, named by DW_AT_linkage_name or DW_AT_name (through
//    DW_AT_abstract_origin / DW_AT_specification);
//  - the rows of its unit's line table (dwarf_getsrclines) inside that
//    range, the row in force at the start included;
//  - its DW_TAG_inlined_subroutine DIEs (through lexical blocks) with the
//    abstract origin's name, DW_AT_call_file/call_line/call_column and
//    their ranges;
//  - file paths composed as llvm-symbolizer composes them (a relative
//    directory is under DW_AT_comp_dir), stored as a build prefix (the
//    unit's comp_dir, or the source tree that dwarf_units'
//    AssignObjectPaths finds) and the path under it.
//
//   absl::StatusOr<LineTable> t = ReadLineTableFile("vmlinux");
//   for (const SourceFrame& f : t->Symbolize(0xffffffff81a11520)) ...
#ifndef KSYM_SYMBOLIZER_SOURCES_ELF_DWARF_LINES_H_
#define KSYM_SYMBOLIZER_SOURCES_ELF_DWARF_LINES_H_

#include <elfutils/libdw.h>

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "symbolizer/sources/elf/dwarf_units.h"
#include "symbolizer/sources/elf/line_program.h"
#include "symbolizer/sources/elf/line_table.h"

namespace ksym {

// Errors as ParseDwarfUnits gives them (not ELF, no DWARF, malformed
// DWARF), naming `path`.
absl::StatusOr<LineTable> ParseLineTable(absl::string_view bytes,
                                         absl::string_view path);
// A path under `root` (--root) is opened in the root.
absl::StatusOr<LineTable> ReadLineTableFile(const std::string& path,
                                            const std::string& root = "");

// A debug .ko's units and lines from one DWARF open: the image in `bytes`,
// which the caller gives up (dwarf_units.h's ParseDwarfUnitsInPlace),
// relocated once for both. `lines` is read only when asked and the units
// were read (nullopt otherwise); its error is its own (the units stand).
// SHF_COMPRESSED debug sections are inflated by libelf as for the units.
struct UnitsAndLines {
  absl::StatusOr<DwarfUnits> units;
  std::optional<absl::StatusOr<LineTable>> lines;
};
UnitsAndLines ParseUnitsAndLinesInPlace(absl::Span<char> bytes,
                                        absl::string_view path, bool lines);

// The sections line_program.h decodes, as libdw has them open for
// `dwarf` (inflated; a .ko's relocated by libdwfl): what the reader above
// decodes each unit's line program from, with libdw's dwarf_getsrclines
// kept for a unit it cannot read. nullopt without .debug_line or with one
// still compressed.
std::optional<LineProgramSections> LineProgramSectionsOf(Dwarf* dwarf);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_SOURCES_ELF_DWARF_LINES_H_
