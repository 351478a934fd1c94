// Test helpers that put dwarf_lines' answers beside llvm-symbolizer's and
// binutils addr2line's, for dwarf_lines_test and debian_lines_test.
#ifndef KSYM_SYMBOLIZER_SOURCES_ELF_LINES_PEER_TESTING_H_
#define KSYM_SYMBOLIZER_SOURCES_ELF_LINES_PEER_TESTING_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "symbolizer/sources/elf/line_table.h"

namespace ksym {
namespace testutil {

// One answer as the peers print it, one "FUNCTION FILE:LINE:COLUMN" per
// frame, innermost first; "?? ??:0:0" for no answer. Without columns
// ("FUNCTION FILE:LINE") when `columns` is false, as addr2line prints.
std::vector<std::string> PrintFrames(const std::vector<SourceFrame>& frames,
                                     bool columns = true);

// `llvm-symbolizer --inlines --addresses` or `addr2line -a -i -f` output:
// a "0xADDR" line, then FUNCTION / LOCATION pairs. addr2line's
// " (discriminator N)" is dropped.
std::map<uint64_t, std::vector<std::string>> ParsePeerOutput(
    absl::string_view text);

// Whether two answers differ only in the outermost function's name, where
// the peer took the ELF symbol's (`--functions=linkage` with the symbol
// table): a clone's suffix ("f" / "f.cold", "f.isra.0"), a name where no
// DW_TAG_subprogram gives one ("??"), or, with `any_name`, an alias or an
// ICF-merged body.
bool SameButOutermostName(const std::vector<std::string>& ours,
                          const std::vector<std::string>& peer,
                          bool any_name = false);

// One unit's line table as `llvm-dwarfdump --debug-line` prints it.
struct DwarfdumpRow {
  uint64_t address = 0;
  uint32_t line = 0;
  uint32_t file = 0;  // index into DwarfdumpLineTable::files
  bool is_stmt = false;
  bool end_sequence = false;
};
struct DwarfdumpLineTable {
  std::vector<std::string> dirs;  // include_directories[], in order
  struct File {
    std::string name;
    uint32_t dir = 0;
  };
  // file_names[], in order (DWARF 5 numbers them from 0, DWARF 4 from 1:
  // its rows never name entry 0).
  std::vector<File> files;
  std::vector<DwarfdumpRow> rows;  // in program order

  // `file`'s path: its name when absolute, else its include directory and
  // name; with `comp_dir_relative`, directory 0 (the unit's comp_dir) is
  // left out. "" for a file index past the table.
  std::string Path(uint32_t file, bool comp_dir_relative) const;
};

// Each "debug_line[...]" unit of `llvm-dwarfdump --debug-line` output, in
// order. Lines it does not know are skipped.
std::vector<DwarfdumpLineTable> ParseDwarfdumpDebugLine(absl::string_view text);

// Runs `command` (a shell command line) and returns its stdout; the test
// fails when it exits non-zero.
std::string RunPeer(const std::string& command);

}  // namespace testutil
}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_SOURCES_ELF_LINES_PEER_TESTING_H_
