// Why a frame the rewriter found names no symbol of the index, as the note
// it appends to the frame (the frame's text stays as printed):
//
//    ? __die+0x23/0x71 (not placed: no __die is 0x71 long; the index has 0x70)
//    init_once+0x80/0x70 (not placed: offset 0x80 is past the length 0x70)
//    no_such_fn+0x10/0x20 (not placed: no symbol named no_such_fn in the index)
//    bpf_prog_6deef7357e7b4530_sd_fw_ingress+0x1d/0x5c (not placed: no
//    symbol named bpf_prog_... in the index)              [one line]
//
// No frame passes silently: the caller counts each one (RewriteStats::
// unresolved) and the reader sees why on its line.
#ifndef KSYM_SYMBOLIZER_REWRITER_UNPLACED_H_
#define KSYM_SYMBOLIZER_REWRITER_UNPLACED_H_

#include <string>

#include "symbolizer/query/query_parser.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {

// The reason `query` (a frame read as name [+0xOFF[/0xLEN]] [mod]... {obj})
// matched no symbol, without the note's prefix and parentheses. With
// `without_loadable`, symbols of loadable modules were not candidates (an
// oops frame without [mod]: the kernel names the module of every one).
std::string UnplacedReason(const Symbolizer& s, const Query& query,
                           bool without_loadable);

// " (not placed: REASON)".
std::string UnplacedNote(absl::string_view reason);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_REWRITER_UNPLACED_H_
