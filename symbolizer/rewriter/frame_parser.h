// Finds the kernel frames in one line of a stack dump, `perf script`, ftrace
// or available_filter_functions_addrs output, without consulting an index:
//
//   perf script -g:
//   \tffffffff815ff43b ___pte_offset_map+0x2b ([kernel.kallsyms])
//   oops, old format with addresses:
//    [<ffffffff8105b2e9>] ? warn_slowpath_common+0x89/0xc0 [ext4]
//   oops:
//   RIP: 0010:init_once+0x12/0x40
//    ext4_fill_super+0x1c/0x40 [ext4 8b2c2a4d0a4e6f3a9d1c7e5b3f20d1e6c4a9b7f1]
//   ftrace stacktrace (sym-offset, sym-addr) and function tracer:
//    => bprm_execve+0x4a5/0x510 <ffffffff816c5b85>
//        bash-1234    [001] .....   123.456: do_sys_open <-__x64_sys_openat
//   ftrace function_graph (call, leaf, return):
//    0)               |  ext4_create() {
//    0)   0.721 us    |    recently_deleted();
//    0) + 12.345 us   |  } /* ext4_create */
//   bpftrace kstack, decimal offsets:
//       __ext4_get_inode_loc+151
//   available_filter_functions_addrs:
//   ffffffff81234560 init_once
//   bare address (%pB of an unknown address, register dumps):
//    0xffffffffa06a4368
//
// The parser is pure (bytes in, spans out) so that it can be fuzzed; the
// Rewriter (rewriter.h) decides what each span becomes. Not frames: user
// space (`perf script` frames whose DSO is a file or [vdso]), perf's
// `ADDR [unknown]` (frame-pointer garbage in user callchains that perf,
// which had the kernel's symbols, placed nowhere), and /proc/kallsyms or
// System.map lines (`ADDR TYPE NAME`).
//
// Addresses are exactly 16 hex digits (64-bit kernels), optionally with 0x;
// offsets in a symbol are hex with 0x, as the kernel's %pS and perf print
// them, except on a bpftrace kstack line (decimal). Real samples of each
// format: testdata/traces/.
#ifndef KSYM_SYMBOLIZER_REWRITER_FRAME_PARSER_H_
#define KSYM_SYMBOLIZER_REWRITER_FRAME_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/strings/string_view.h"

namespace ksym {

enum class FrameKind : uint8_t {
  // An address and the symbol printed for it (perf script, `[<ADDR>] SYM`,
  // `ADDR NAME`, ftrace sym-addr `SYM <ADDR>`): the address decides.
  kAddressed,
  // NAME+0xOFF/0xLEN without an address (%pS); in ftrace lines also
  // NAME+0xOFF.
  kSymbolic,
  // A function name without offset in ftrace output: `NAME <-PARENT`,
  // ` => NAME`.
  kPlainName,
  // A 16-digit address not followed by a symbol.
  kBareAddress,
};

const char* FrameKindName(FrameKind kind);

// How the Rewriter marks a frame it cannot pin to one symbol:
//   init_once+0x12/0x40 (ambiguous, 2 candidates: init_once {inode.o} |
//   init_once {fat/inode.o})
inline constexpr absl::string_view kAmbiguityNotePrefix = " (ambiguous, ";
// How it marks an addressed frame whose printed name (or offset) disagrees
// with the index at that address; the printed text stays:
//   [<ffffffff81530cb7>] read_zero+0x77/0xc0 (mismatch, index:
//   bio_to_wbt_flags.part.0.isra.0+0x67/0x80)           [one line]
inline constexpr absl::string_view kMismatchNotePrefix = " (mismatch, index: ";
// How it marks a frame that names no symbol of the index (unplaced.h):
//    init_once+0x80/0x70 (not placed: offset 0x80 is past the length 0x70)
inline constexpr absl::string_view kUnplacedNotePrefix = " (not placed: ";
// How a BPF program's frame of the running kernel is told (api/live_pseudo):
//    bpf_prog_715e0f2e5866e0b2_ksym_scale+0x10 [bpf] (BPF program 159,
//    /src/p.c:11:13)                                    [one line]
inline constexpr absl::string_view kBpfNotePrefix = " (BPF program ";
// How a placed frame whose `[mod BUILDID]` could not be checked is told
// (the index knows no build-id for that module):
//    ieee80211_stop+0x1c/0xe0 [mac80211 929346fe...] (build-id not
//    checked: the index has no build-id for mac80211)  [one line]
inline constexpr absl::string_view kUncheckedBuildIdNotePrefix =
    " (build-id not checked: ";

struct FrameSpan {
  FrameKind kind = FrameKind::kSymbolic;
  // The bytes [begin, end) of the line that the rewriter replaces. Symbol
  // frames: the symbol as printed ("init_once+0x12/0x40"), the qualifiers
  // after it and an ambiguity note left by an earlier run. kBareAddress: the
  // position just after the address (and its closing ">" or ">]"), extended
  // over an annotation " (init_once+0x12/0x40 {inode.o})" left by an earlier
  // run.
  size_t begin = 0;
  size_t end = 0;
  bool has_address = false;
  uint64_t address = 0;
  // "init_once+0x12/0x40" as printed; empty for bare addresses.
  absl::string_view symbol;
  absl::string_view name;  // "init_once"
  std::optional<uint64_t> offset;
  std::optional<uint64_t> length;
  // " [ext4] {super.o}" exactly as printed after the symbol (build ids
  // included), with any ambiguity note among them; or "".
  absl::string_view qualifiers;
  // The qualifiers include an ambiguity, mismatch or unplaced note
  // (kAmbiguityNotePrefix, kMismatchNotePrefix, kUnplacedNotePrefix).
  bool has_note = false;
};

// The frames of `line` (without its newline), left to right, not
// overlapping. `out` is cleared first.
void FindFrames(absl::string_view line, std::vector<FrameSpan>* out);
std::vector<FrameSpan> FindFrames(absl::string_view line);

// Modules named by the `[MOD]` and `[MOD BUILDID]` brackets in qualifiers
// (as FrameSpan::qualifiers holds them; notes are skipped), with each
// bracket's full text.
struct ModuleBracket {
  absl::string_view module;    // "ext4"
  absl::string_view text;      // "[ext4]", "[ext4 8b2c2a4d...c4a9b7f1]"
  absl::string_view build_id;  // "8b2c2a4d...c4a9b7f1" as printed, or ""
};
std::vector<ModuleBracket> ModuleBrackets(absl::string_view qualifiers);
// The `{OBJ}` text of qualifiers without braces ("super.o"), or "".
absl::string_view ObjectQualifier(absl::string_view qualifiers);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_REWRITER_FRAME_PARSER_H_
