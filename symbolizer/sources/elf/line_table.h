// Source lines and inline frames of every function of one ELF file, in the
// shape of LLVM GSYM's FunctionInfo / LineTable / InlineInfo, which the
// index's line section encodes:
//
//  - a deduplicated file table whose paths are split into a build prefix
//    stored once ("debian/build/build_amd64_none_cloud-amd64/") and the
//    path under it ("fs/namespace.c");
//  - per function, rows of (offset from the function start, file, line,
//    column), sorted, one per change, so offset and line advance by small
//    deltas;
//  - per function, its inlined calls as a tree in preorder (each node the
//    inlined function's name, its call site, its function-relative ranges).
//
// Symbolize() answers as `llvm-symbolizer --inlines` does: the innermost
// frame first (the inlined function and the row's file:line:column), then
// one frame per caller it was inlined into, with the call site.
#ifndef KSYM_SYMBOLIZER_SOURCES_ELF_LINE_TABLE_H_
#define KSYM_SYMBOLIZER_SOURCES_ELF_LINE_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ksym {

struct SourceFile {
  uint32_t prefix = 0;  // index into LineTable::prefixes
  std::string path;     // under the prefix
};

// One row: from `offset` on (until the next row) the code is `line`.
// file 0 and line 0 mean no line (a gap between line sequences). Several
// rows may share an offset: the last one is the code there; the ones
// before it are statements of other lines starting at the same address
// (is_stmt set), kept for `resolve FILE:LINE`.
struct LineRow {
  uint32_t offset = 0;
  uint32_t file = 0;
  uint32_t line = 0;
  uint32_t column = 0;
  bool is_stmt = false;  // DWARF's is_stmt: a statement of `line` starts here
};

// [begin, end) offsets from the function start.
struct OffsetRange {
  uint32_t begin = 0;
  uint32_t end = 0;
};

constexpr uint32_t kNoParent = UINT32_MAX;

// One DW_TAG_inlined_subroutine.
struct InlineCall {
  uint32_t name = 0;  // index into LineTable::names (the abstract origin's)
  uint32_t parent = kNoParent;  // index in the function's calls, or none
  uint32_t call_file = 0;
  uint32_t call_line = 0;
  uint32_t call_column = 0;
  uint32_t first_range = 0;  // into LineTable::inline_ranges
  uint32_t range_count = 0;
};

// One contiguous range of a function's code (a function with a .cold part
// has two, both named after it).
struct FunctionLines {
  uint32_t section = 0;  // index into LineTable::sections
  uint64_t start = 0;    // address, or offset in the section (.ko)
  uint64_t size = 0;
  uint32_t name = 0;       // index into LineTable::names
  uint32_t first_row = 0;  // into LineTable::rows
  uint32_t row_count = 0;
  uint32_t first_call = 0;  // into LineTable::calls, preorder
  uint32_t call_count = 0;
};

// One frame of an answer.
struct SourceFrame {
  std::string function;
  std::string file;      // full path: prefix + path, as DWARF composes it
  uint32_t file_id = 0;  // index into LineTable::files; 0: unknown
  uint32_t line = 0;     // 0: unknown
  uint32_t column = 0;
};

struct LineTable {
  bool relocatable = false;
  // "" for a linked file; ".text", ".init.text", ... for a .ko.
  std::vector<std::string> sections;
  // prefixes[0] is "". Each other ends with '/'.
  std::vector<std::string> prefixes;
  // files[0] is the unknown file.
  std::vector<SourceFile> files;
  std::vector<std::string> names;
  // Sorted by (section, start); never overlapping within a section.
  std::vector<FunctionLines> functions;
  std::vector<LineRow> rows;
  std::vector<InlineCall> calls;
  std::vector<OffsetRange> inline_ranges;

  // Functions dropped because their code overlapped an earlier one (code
  // the linker discarded keeps its DWARF at address 0), said, not hidden.
  size_t overlapping_functions = 0;

  // The function whose range holds `address` in `section` (0 in a linked
  // file), or null.
  const FunctionLines* FindFunction(uint64_t address,
                                    uint32_t section = 0) const;
  // Innermost first; empty when no function holds the address.
  std::vector<SourceFrame> Symbolize(uint64_t address,
                                     uint32_t section = 0) const;
  // prefix + path ("debian/build/build_amd64_none_cloud-amd64/fs/inode.c").
  std::string FilePath(uint32_t file) const;
  // The path under the build prefix, as decode_stacktrace.sh prints it
  // after stripping its base path ("fs/inode.c").
  std::string SourcePath(uint32_t file) const;
  // Bytes held by the vectors and strings (capacity, not size).
  size_t MemoryBytes() const;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_SOURCES_ELF_LINE_TABLE_H_
