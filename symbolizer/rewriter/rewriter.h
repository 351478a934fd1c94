// Stream rewriter: makes every kernel frame of a stack dump, `perf script`
// or ftrace output name exactly one symbol, and leaves all other bytes as
// they were. Frames are found by FindFrames (frame_parser.h). perf script:
//
//   ffffffff815eb739 __handle_mm_fault+0x59 ([kernel.kallsyms])
//   ffffffff815eb739 __handle_mm_fault+0x59 {memory.o} ([kernel.kallsyms])
//
// oops frames, unique and ambiguous:
//
//    init_once+0x12/0x40
//    init_once+0x12/0x40 {inode.o}
//    type_show+0x1c/0x100
//    type_show+0x1c/0x100 (ambiguous, 2 candidates: type_show {core.o} |
//    type_show {genhd.o})                               [one line]
//
// ftrace function tracer, and a bare address:
//
//   do_sys_open <-__x64_sys_openat
//   do_sys_open {open.o} <-__x64_sys_openat
//    0xffffffffa06a4368
//    0xffffffffa06a4368 (nf_confirm+0x16b/0x2b0 [nf_conntrack])
//
// Rules:
// - Where an address is printed it decides (perf script, `[<ADDR>] SYM`,
//   available_filter_functions_addrs, ftrace sym-addr). perf's
//   `ADDR [unknown]` stays: perf had the kernel's symbols, so such an
//   address is frame-pointer garbage from a user callchain. The printed
//   symbol is kept, qualified, when it covers the address (perf may print
//   another alias than ksym would pick) or when symbol + offset is the
//   address (%pB's return address just past a noreturn call); otherwise the
//   text and the index disagree: the printed text stays and the index's
//   answer is appended as a note ` (mismatch, index: NAME+0xOFF/0xLEN
//   [MOD] {OBJ})` ("mismatched"). Nothing is ever renamed silently.
//   A printed name the index does not know (BPF programs, trampolines) is
//   answered by RewriteOptions::live_frame on the running kernel, else
//   marked not placed.
// - `NAME+0xOFF/0xLEN [MOD]` without address is resolved like
//   scripts/faddr2line: LEN narrows same-named symbols by size, and without
//   `[MOD]` symbols of loadable modules are excluded (the kernel always
//   names their module). One candidate: its qualified name; several: the
//   frame is kept and the note ` (ambiguous, N candidates: Q1 | Q2 ...)`
//   appended, each Q a query selecting one candidate (with ` @0xADDR` where
//   candidates share a qualified name).
// - A frame pinned to one symbol whose qualified name is still not unique
//   (an index without object files) gets the marker
//   ` (ambiguous, N candidates; this one: QUERY)` (query/ambiguity.h).
// - Plain ftrace names (`NAME <-PARENT`, ` => NAME`) are qualified when
//   exactly one symbol has the name, else get the same note.
// - A bare 16-digit address inside a text symbol gets
//   ` (NAME+0xOFF/0xLEN [MOD] {OBJ})` (LEN as %pS prints it: the distance
//   to the next symbol); data addresses are left alone
//   (kallsyms gives no data sizes, so `__start_rodata+0x2c94a` would be a
//   guess).
// - A frame the index cannot place keeps its text and gets
//   ` (not placed: WHY)` (unplaced.h): no symbol of that name, no copy of
//   that length, an offset past the length, a `[mod]` the index does not
//   have. A `[mod BUILDID]` frame (CONFIG_STACKTRACE_BUILD_ID) whose module
//   the index records with another build id is not placed either: the
//   index's symbols are another build's (` (not placed: the index's mod
//   has build-id ID, another build than the frame's)`). A module whose
//   build id the index does not know is placed by name and length. Bare addresses outside text
//   are not frames and stay byte-identical. Rewriting is idempotent: its
//   own qualifiers, notes and annotations are recognized.
//
// The index and the text must speak the same address space: a static
// (vmlinux) index against runtime addresses of a KASLR kernel shows up as
// many `mismatched` frames in stats(); IndexMismatchLikely says when to warn.
#ifndef KSYM_SYMBOLIZER_REWRITER_REWRITER_H_
#define KSYM_SYMBOLIZER_REWRITER_REWRITER_H_

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/rewriter/frame_parser.h"
#include "symbolizer/rewriter/kernel_offset.h"

namespace ksym {

// A frame of the running kernel that no index holds (a BPF program, a
// trampoline), answered live by the caller (api/live_pseudo.h).
struct LiveFrame {
  std::string name;    // "bpf_prog_715e0f2e5866e0b2_ksym_scale"
  uint64_t offset = 0;
  std::string text;    // the frame as `ksym lookup` prints it
  // What the text has after "NAME+0xOFF": " [bpf] (BPF program 159,
  // /src/p.c:11:13)".
  std::string suffix;
};

struct RewriteOptions {
  // Append the symbol's absolute address, as ftrace's sym-addr option
  // prints it (" <ffffffff81234567>"), to frames resolved from a name.
  bool append_addresses = false;
  // Write `{obj}` as the object's full path (kernel/events/core.o), not
  // the shortest suffix that separates duplicates (core.o).
  bool full_object_path = false;
  // Candidates an ambiguity note lists before it ends with " | ...".
  size_t max_listed_candidates = 8;
  // The trace's addresses minus the index's: the KASLR offset of the
  // kernel that printed the trace, when the index is a static (vmlinux)
  // one (`symbolize --kaslr-offset`, or an oops's "Kernel Offset:" line,
  // kernel_offset.h). Printed addresses are moved by it before each lookup
  // and appended addresses after.
  uint64_t kaslr_offset = 0;
  // `symbolize --lines`: after the symbol of every frame placed on one
  // symbol, its source lines as scripts/decode_stacktrace.sh prints them,
  // ` (FILE:LINE INLINED-CALLER-FILE:LINE ...)` innermost first, from the
  // index's line section (api/source_lines.h); ` (no source lines: WHY)`
  // where it has none for that frame (a module's, code without DWARF).
  // Off: lines are not rewritten idempotently.
  bool lines = false;
  // `symbolize --decode-stacktrace`: every line as the kernel's
  // scripts/decode_stacktrace.sh prints it (decode_stacktrace_line.h),
  // its frame's `(FILE:LINE ...)` from the copy this rewriter pins; what
  // the script has no place for (a frame not placed, ambiguous or
  // mismatched, a frame without lines and why, a BPF program) is appended
  // to the line as the notes above. Implies `lines`.
  bool decode_stacktrace = false;
  // For an index of the running kernel: what the kernel has now at an
  // index address no indexed symbol places exactly, or nullopt. A frame
  // printed with the same name there is placed (the BPF tag in the name
  // is a hash of the program, so it is the same program) and gets the
  // suffix; a bare address gets ` (now: TEXT)`, since what is loaded now
  // may not be what ran when the trace was taken.
  std::function<std::optional<LiveFrame>(uint64_t address)> live_frame;
};

struct RewriteStats {
  uint64_t lines = 0;
  // Frames FindFrames found; bare addresses only when inside a text
  // symbol (register values and hashes are not frames).
  uint64_t frames = 0;
  uint64_t resolved = 0;    // pinned to one symbol
  uint64_t mismatched = 0;  // addressed frames whose printed symbol or
                            // offset disagrees with the index: marked
  uint64_t ambiguous = 0;   // given an ambiguity note
  // Named no symbol of the index: the text stays, with the note
  // ` (not placed: WHY)` (unplaced.h).
  uint64_t unresolved = 0;
  // Frames whose symbol name the index holds more than once, and of those
  // the ones whose output still does not name one symbol (an ambiguity
  // note, or a printed name marked as not unique).
  uint64_t duplicated = 0;
  uint64_t not_unique = 0;
};

// Not thread-safe (it keeps statistics and scratch space): use one Rewriter
// per thread; they can share the Symbolizer.
class Rewriter {
 public:
  explicit Rewriter(const Symbolizer& symbolizer, RewriteOptions options = {});

  // Rewrites one line, given without its newline; appends to *out.
  void RewriteLine(absl::string_view line, std::string* out);
  std::string RewriteLine(absl::string_view line);
  // Rewrites each line of `text`; "\n" and "\r\n" line ends and a missing
  // final newline are kept.
  std::string RewriteText(absl::string_view text);

  const RewriteStats& stats() const { return stats_; }
  const RewriteOptions& options() const { return options_; }
  // RewriteOptions::kaslr_offset, from the next line on.
  void set_kaslr_offset(uint64_t offset) { options_.kaslr_offset = offset; }

 private:
  // Appends the replacement of frame f to *out; returns false (and appends
  // nothing) when the frame stays as it is.
  bool RewriteFrame(const FrameSpan& f, std::string* out);
  // RewriteOptions::decode_stacktrace.
  void RewriteLineAsScript(absl::string_view line, std::string* out);
  bool RewriteAddressed(const FrameSpan& f, std::string* out);
  bool RewriteNamed(const FrameSpan& f, std::string* out);
  bool RewriteBare(const FrameSpan& f, std::string* out);
  // " [mod] ... {obj}" of s; a module the frame already named keeps its
  // printed bracket (with the build id).
  // RewriteOptions::lines: the source lines of s + offset.
  void AppendLines(const SymbolInfo& s, uint64_t offset,
                   std::string* out) const;
  void AppendQualifiers(const SymbolInfo& s, absl::string_view printed,
                        std::string* out) const;
  // The frame's own " [mod]... {obj}" as printed, without earlier notes.
  static void AppendPrintedQualifiers(absl::string_view qualifiers,
                                      std::string* out);
  void AppendNote(const std::vector<Candidate>& candidates,
                  std::string* out) const;
  // Appends AmbiguityMarker (ambiguity.h) of s; true if it was not empty.
  bool AppendMarker(const SymbolInfo& s, std::string* out) const;
  void CountName(const SymbolInfo& s, bool not_unique);
  bool NameKnown(absl::string_view name) const;
  // Why the build ids printed in the frame's `[mod BUILDID]` brackets rule
  // out this index (it records another build of that module), or "".
  std::string BuildIdConflict(absl::string_view qualifiers) const;
  // ` (build-id not checked: ...)` for the frame's `[mod BUILDID]` brackets
  // whose module has no build-id in the index, or "".
  std::string UncheckedBuildIdNote(absl::string_view qualifiers) const;
  // Appends the frame as printed with ` (not placed: WHY)`; counts it.
  void AppendUnplaced(const FrameSpan& f, absl::string_view why,
                      std::string* out);

  const Symbolizer& symbolizer_;
  RewriteOptions options_;
  // The index's loaded modules (name, as NormalizeModuleName writes it) and
  // their build ids; "" for a build id the index does not know.
  absl::flat_hash_map<std::string, std::string> module_build_ids_;
  RewriteStats stats_;
  std::vector<FrameSpan> frames_;     // scratch
  std::vector<SymbolInfo> covering_;  // scratch
  // RewriteOptions::decode_stacktrace: where AppendLines puts the frame's
  // `FILE:LINE ...` and its " (no source lines: WHY)" instead of the output.
  std::string* script_code_ = nullptr;
  std::string* script_lines_note_ = nullptr;
};

// True when so many frames disagree with the index (at least 2, and a
// tenth of the frames) that the index likely is not this trace's kernel;
// IndexMismatchWarning is then the message for the user.
bool IndexMismatchLikely(const RewriteStats& stats);
std::string IndexMismatchWarning(const RewriteStats& stats);

// Whether a filter from `in_fd` to `out_fd` flushes after every line: when
// either is a terminal or the input is a pipe (`cat trace_pipe | ksym
// symbolize`, `dmesg -w | ...`, a coprocess), so output keeps pace with
// input.
bool ShouldFlushEachLine(int in_fd, int out_fd);

struct RewriteStreamOptions {
  // Flush output after every line (for `trace_pipe` and other live
  // streams).
  bool flush_each_line = false;
  // A line longer than this many bytes (without its newline) is copied to
  // the output unchanged, in pieces, and never held whole: one huge line
  // cannot cost memory without bound. Stack dumps, perf script and ftrace
  // lines are far shorter.
  size_t max_line = size_t{1} << 20;
  // Called once per such line with its 1-based number and its length.
  std::function<void(uint64_t line_number, uint64_t length)> on_long_line;
  // Take the KASLR offset from the text (a static index that was told
  // none): the kernel prints an oops's "Kernel Offset:" line
  // (kernel_offset.h) at the end of its panic report, after the frames it
  // applies to, so lines are held back until one comes and are then
  // rewritten with its offset; each such line applies to the lines since
  // the previous one. Lines after the last one (or in a text without one)
  // use RewriteOptions::kaslr_offset. Output then comes per offset line
  // and at EOF, not per line; more than `max_held` bytes held, or an
  // over-long line, releases what is held with the offset in use.
  bool kernel_offset_from_text = false;
  size_t max_held = size_t{64} << 20;
  // Told of each offset line found: its 1-based number, the offset and the
  // first line it was applied to.
  std::function<void(uint64_t line_number, const KernelOffsetLine& offset,
                     uint64_t first_line)>
      on_kernel_offset;
  // Called before a line is rewritten, with its 1-based number: an error
  // stops the stream there (what was written is flushed) and is returned.
  // For an index that may change under the reader (api/index_watch.h).
  std::function<absl::Status(uint64_t line_number)> check_source;
  // Told when held lines had to be released without an offset line.
  std::function<void(uint64_t first_line, uint64_t last_line)> on_released;
};

// Reads lines from `in` until EOF, writes their rewrites to `out`. Read and
// write errors are returned with errno's status code.
absl::Status RewriteStream(std::FILE* in, std::FILE* out, Rewriter* rewriter,
                           const RewriteStreamOptions& options);
inline absl::Status RewriteStream(std::FILE* in, std::FILE* out,
                                  Rewriter* rewriter,
                                  bool flush_each_line = false) {
  RewriteStreamOptions options;
  options.flush_each_line = flush_each_line;
  return RewriteStream(in, out, rewriter, options);
}

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_REWRITER_REWRITER_H_
