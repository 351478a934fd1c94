// Decodes one unit's DWARF line program (.debug_line, versions 2 to 5) into
// the rows and file table that libdw's dwarf_getsrclines and
// dwarf_getsrcfiles give, without libdw: the same rows in the same order,
// the same file names joined the same way.
//
// Why: on a distribution vmlinux (20 MB of .debug_line, ~2,700 units)
// libdw allocates a list node per row and merge-sorts every unit's rows,
// about a fifth of the whole `ksym build` with lines (perf, 6.12 cloud
// kernel). Here the rows land in one reused vector in program order, and
// the sort is skipped where the unit's sequences are already ordered (most
// units: one sequence per code section) or done once over the sequences.
//
// A program as `llvm-dwarfdump --debug-line` shows its header (DWARF 5):
//
//   version: 5  address_size: 8  seg_select_size: 0
//   min_inst_length: 1  max_ops_per_inst: 1  default_is_stmt: 1
//   line_base: -5  line_range: 14  opcode_base: 13
//   include_directories[0] = .debug_line_str[0x00]
//       = "/build/.../debian/build/build_amd64_none_cloud-amd64"
//   file_names[1]: name: "kernel/fork.c" dir_index: 0
//
// What libdw does is followed where it differs from a plain reading of the
// standard, so the rows are libdw's on any input libdw accepts:
//  - an extended opcode's length is one byte; DW_LNE_set_address reads the
//    unit's address size whatever that length says;
//  - rows are sorted by address, an end of sequence before a row at the
//    same address, else in program order; the last row is made an end of
//    sequence;
//  - file 0 of a version < 5 table is "???"; a relative name is joined to
//    its directory with '/' (directory 0 of a version < 5 table is the
//    unit's DW_AT_comp_dir; without one the name stays relative);
//  - a line outside int, a column above 65535 or an isa above 255 makes
//    the program invalid, as libdw's row fields cannot hold them.
//
// Bounded against hostile input: every read is checked against the unit's
// end, counts are checked against the bytes left, and rows cost at least one
// byte of program each. Forms in a DWARF 5 entry format other than string,
// strp, line_strp, udata, data1/2/4/8/16 and block are refused
// (Unimplemented), so a caller can fall back to libdw for them.
#ifndef KSYM_SYMBOLIZER_SOURCES_ELF_LINE_PROGRAM_H_
#define KSYM_SYMBOLIZER_SOURCES_ELF_LINE_PROGRAM_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ksym {

// The sections a line program reads: the program itself and the string
// sections DW_FORM_strp / DW_FORM_line_strp point into (either may be
// empty).
struct LineProgramSections {
  absl::string_view line;      // .debug_line
  absl::string_view str;       // .debug_str
  absl::string_view line_str;  // .debug_line_str
  bool big_endian = false;     // the ELF file's byte order
};

struct LineProgramRow {
  uint64_t address = 0;
  uint32_t file = 0;  // index into LineProgram's files
  int32_t line = 0;
  uint32_t column = 0;
  bool is_stmt = false;
  bool end_sequence = false;
};

struct LineProgram {
  uint16_t version = 0;
  // Directory 0 is the unit's comp_dir (version < 5, nullopt without one)
  // or the table's first entry (version 5).
  std::vector<std::optional<absl::string_view>> dirs;
  struct File {
    absl::string_view name;  // as written
    uint64_t dir = 0;
    bool joined = true;  // false: the name is used as written ("???")
  };
  std::vector<File> files;
  std::vector<LineProgramRow> rows;
  // Scratch space of the sort, kept for the next unit.
  std::vector<LineProgramRow> sort_buffer;

  // The name libdw's dwarf_filesrc gives file `index` ("" past the end).
  std::string FilePath(size_t index) const;
};

// Decodes the program at `offset` of sections.line for a unit of
// `address_size` (4 or 8) whose DW_AT_comp_dir is `comp_dir`. `out` is
// overwritten; its vectors' capacity is reused. InvalidArgument for a
// malformed program, Unimplemented for a form it does not read.
absl::Status ParseLineProgram(const LineProgramSections& sections,
                              uint64_t offset, uint8_t address_size,
                              std::optional<absl::string_view> comp_dir,
                              LineProgram* out);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_SOURCES_ELF_LINE_PROGRAM_H_
