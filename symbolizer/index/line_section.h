// kLines (format.h, optional): the source lines and inline trees of the
// vmlinux's functions (a LineTable, sources/elf/line_table.h), in the
// spirit of LLVM GSYM: one deduplicated file table whose build prefix
// (comp_dir) is stored once, per function delta-encoded rows and an inline
// tree. Self-contained (its own string blob), so an index without it has
// the same other sections byte for byte, and older readers skip it.
//
//   const LineSection& lines = reader.lines();
//   LineFrames frames;
//   absl::StatusOr<bool> found = lines.Symbolize(0xffffffff81a11520, &frames);
//   // frames[0]: innermost (the inlined function, the row's file:line)
//
// Addresses are link-time (static) vmlinux addresses; a runtime index's
// caller subtracts the KASLR offset first.
//
// kModuleLines (ModuleLineSection, format.h, optional) has the same layout
// for the loadable modules of a runtime index (or a fleet module index):
// their functions at the addresses the modules were loaded at (each debug .ko's section-relative
// lines placed by the module's section addresses at build time, as its
// symbols are), asked with the symbol's own (runtime) address.
#ifndef KSYM_SYMBOLIZER_INDEX_LINE_SECTION_H_
#define KSYM_SYMBOLIZER_INDEX_LINE_SECTION_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/section_codec.h"
#include "symbolizer/index/string_table.h"
#include "symbolizer/sources/elf/line_table.h"

namespace ksym {

// One frame of an answer; the views point into the index mapping.
struct LineFrame {
  absl::string_view function;
  absl::string_view prefix;  // build prefix ("debian/build/.../"), or ""
  absl::string_view path;    // under the prefix ("fs/inode.c"); "" unknown
  uint32_t line = 0;         // 0: unknown
  uint32_t column = 0;       // 0: none
};

// Innermost first, as llvm-symbolizer --inlines prints them.
using LineFrames = absl::InlinedVector<LineFrame, 8>;

// One row of a function's record, as the reverse scan (ForEachRow) sees it.
struct LineRowView {
  uint64_t function = 0;  // index of the function entry
  uint64_t address = 0;   // static address where the row starts
  uint32_t file = 0;      // file id (FileName); 0: unknown
  uint32_t line = 0;      // 0: a gap
  uint32_t column = 0;
  bool is_stmt = false;  // DWARF's is_stmt (false when !has_statements())
  // Where a statement of the row's file:line starts: an is_stmt row whose
  // previous row is not an is_stmt row of the same file:line. Without
  // statement flags (an index of an older ksym): the function's first
  // row, or one whose previous row has another file:line.
  bool starts_statement = false;
};

class LineSection {
 public:
  static constexpr uint64_t kHeaderSize = 32;
  static constexpr uint64_t kFunctionEntrySize = 16;
  static constexpr uint64_t kFileEntrySize = 8;
  // Deeper inline chains are refused as damage (the kernel's are < 20).
  static constexpr uint32_t kMaxInlineDepth = 256;
  // Header flag: rows carry DWARF's is_stmt (format.h kLines).
  static constexpr uint32_t kFlagStatements = 1u << 0;
  // Header flag, layout version 2 (format.h kLines): a record holds its
  // inline calls as a nested tree before its rows, and a checkpoint every
  // kRowsPerCheckpoint rows, so a lookup decodes at most that many rows.
  static constexpr uint32_t kFlagCheckpoints = 1u << 1;
  // Rows between checkpoints. 16: BM_SymbolizeRandom (source_lines_benchmark)
  // and the section's size on the Debian 6.1 vmlinux, docs/performance.md.
  static constexpr uint32_t kRowsPerCheckpoint = 16;
  // Layout versions Encode can write: 1 (kFlagStatements), 2 (+
  // kFlagCheckpoints, what Encode writes).
  static constexpr uint32_t kLayoutStatements = 1;
  static constexpr uint32_t kLayoutCheckpoints = 2;

  bool present() const { return present_; }
  uint64_t function_count() const { return function_count_; }
  uint64_t file_count() const { return file_count_; }
  // Whether rows say where statements start (kFlagStatements).
  bool has_statements() const { return (flags_ & kFlagStatements) != 0; }
  // 0 (an older ksym's, without statements), 1 or 2 (kLayout*).
  uint32_t layout() const {
    return (flags_ & kFlagCheckpoints) != 0 ? kLayoutCheckpoints
           : has_statements()               ? kLayoutStatements
                                            : 0;
  }

  // Frames for a static address: true and `frames` filled when a
  // function holds it (frames[0] has no line when no row does), false
  // when none does. DataLoss when the function's record is damaged.
  absl::StatusOr<bool> Symbolize(uint64_t address, LineFrames* frames) const;

  // Every row of every function, in address order: what `resolve
  // FILE:LINE` scans (linear: the rows are delta-encoded per function).
  // DataLoss when a record is damaged; the rows before it were visited.
  absl::Status ForEachRow(
      absl::FunctionRef<void(const LineRowView&)> visit) const;
  // The build prefix and path of file id `file` (both "" for file 0);
  // false when there is no such file.
  bool FileName(uint64_t file, absl::string_view* prefix,
                absl::string_view* path) const;

  // Decodes every function's record (VerifyStructure; tests).
  absl::Status VerifyAll() const;

  // The whole section as the LineTable Encode takes (export to another
  // form; Encode of the result gives these bytes again). Without
  // has_statements() every row's is_stmt is false. DataLoss when a record
  // is damaged; an absent section gives an empty table.
  absl::StatusOr<LineTable> DecodeTable() const;

  // Written when the catalog holds a line table (a linked file's: a
  // relocatable one is InvalidArgument).
  static absl::Status Encode(const Catalog& catalog,
                             StringTableBuilder& strings,
                             EncodedSections* out);
  // Encode in layout `layout` (kLayoutStatements or kLayoutCheckpoints):
  // tests comparing the layouts' answers.
  static absl::Status EncodeLayout(const Catalog& catalog, uint32_t layout,
                                   EncodedSections* out);
  // `t` as section `id` (kLines, kModuleLines) in layout `layout`.
  static absl::Status EncodeTable(const LineTable& t, uint32_t id,
                                  uint32_t layout, EncodedSections* out);
  // Absent: present() false. Checks the header, the tables' sizes, every
  // prefix and file entry, and that functions are sorted, disjoint and
  // point inside the data.
  static absl::StatusOr<LineSection> Decode(const SectionDirectory& dir);
  // Decode of section `id` (kLines, kModuleLines); errors name it.
  static absl::StatusOr<LineSection> DecodeId(const SectionDirectory& dir,
                                              uint32_t id);

 private:
  absl::Status Bad(uint64_t k, absl::string_view what) const;
  struct Call;
  absl::Status DecodeFunction(uint64_t k, uint32_t offset,
                              LineFrames* frames) const;
  absl::Status DecodeFunction2(uint64_t k, uint32_t offset,
                               LineFrames* frames) const;
  absl::Status VerifyCalls2(uint64_t k) const;
  // The frames of an answer from its innermost row and inline chain.
  absl::Status AppendFrames(uint64_t k, absl::string_view function,
                            LineFrame innermost, const Call* chain,
                            size_t depth, LineFrames* frames) const;
  // `calls`, when given, receives where a layout 1 record's inline calls
  // start (layout 2 keeps them before the rows).
  absl::Status ScanRows(uint64_t k,
                        absl::FunctionRef<void(const LineRowView&)> visit,
                        const char** calls = nullptr) const;
  // The string record at `ref` of the blob.
  bool String(uint64_t ref, absl::string_view* out) const;
  bool File(uint64_t file, LineFrame* frame) const;

  uint32_t id_ = format::kLines;  // the section id, for errors
  bool present_ = false;
  uint64_t function_count_ = 0, file_count_ = 0, prefix_count_ = 0;
  uint32_t flags_ = 0;
  uint32_t step_shift_ = 1;  // 2 with kFlagStatements: the is_stmt bit
  const char* prefixes_ = nullptr;
  const char* files_ = nullptr;
  const char* functions_ = nullptr;
  absl::string_view strings_;
  absl::string_view data_;
  // Function starts bucketed at Decode: bucket b holds the first function
  // starting at or after bucket_base_ + (b << bucket_shift_) (one more
  // entry: function_count_), with at most one bucket per function, so a
  // search reads one bucket pair and usually one or two function entries
  // (source_lines_benchmark), not a binary search's dependent loads.
  uint64_t bucket_base_ = 0;
  uint32_t bucket_shift_ = 0;
  std::vector<uint32_t> buckets_;
  // Every file id's prefix and path, resolved at Decode (which checks
  // them all anyway): a frame's file costs one read of this table, not
  // the file entry, the prefix entry and two string headers, each a
  // dependent cache miss (source_lines_benchmark).
  struct FileRef {
    uint32_t prefix;  // index in prefix_names_
    uint32_t path;    // offset in strings_ of the path's bytes
    uint32_t path_size;
  };
  std::vector<FileRef> file_refs_;
  std::vector<absl::string_view> prefix_names_;
};

// kModuleLines: the loadable modules' lines of a runtime index, at their
// load addresses (catalog.module_lines); LineSection's layout and queries.
class ModuleLineSection : public LineSection {
 public:
  ModuleLineSection() = default;
  static absl::Status Encode(const Catalog& catalog,
                             StringTableBuilder& strings,
                             EncodedSections* out);
  static absl::StatusOr<ModuleLineSection> Decode(const SectionDirectory& dir);

 private:
  explicit ModuleLineSection(LineSection s) : LineSection(std::move(s)) {}
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_LINE_SECTION_H_
