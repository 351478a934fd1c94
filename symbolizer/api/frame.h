// Frame text: how one symbolized address is written, by every front end
// (the CLI's `lookup` and `resolve`, the C API, the Python module).
//
//   std::string t = FrameText(s, r);   // LookupResult r = s.Lookup(addr)
//   // "init_once+0x12/0x40 [rapl] {inode.o}"   found
//   // "?? (not a kernel address: below the kernel text)"    not found
//   std::string line = LookupLine(addr, t);
//   // "ffffffff81460ec2 init_once+0x12/0x40 [rapl] {inode.o}"
//
// `name+0xOFF/0xLEN` is the kernel's %pS format, LEN the distance to the
// next symbol (Symbolizer::KernelLength: what oopses print and
// scripts/faddr2line compares; JSON has the ELF size too); then each display module
// as ` [mod]` and the object annotation as ` {obj}` (Symbolizer's
// DisplayModules / DisplayObject), so the frame carries the symbol's unique
// name. Where that name still does not select the symbol alone, the marker
// ` (ambiguous, N candidates; this one: QUERY)` follows (ambiguity.h):
//   "init_once+0x12/0x40 (ambiguous, 2 candidates; this one: init_once @0xffffffff81000300)"
// In the padding after a nested label, where Lookup names what the
// kernel names past that symbol's size, the marker of query/past_size.h
// follows:
//   "retbleed_return_thunk+0x5/0x7e (past its size 0x2, inside
//    retbleed_untrain_ret+0x6/0x9: named as the kernel names it, the
//    nearest symbol below)"
#ifndef KSYM_SYMBOLIZER_API_FRAME_H_
#define KSYM_SYMBOLIZER_API_FRAME_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {

// How `{obj}` is written. kShortest: the shortest path suffix, at `/`
// boundaries, that tells the symbol from its same-named duplicates (the
// /proc/kallmodsyms annotation: `{core.o}` is kernel/events/core.o when no
// other duplicate is in a core.o). kFullPath: the object's path in the
// build (`{kernel/events/core.o}`), still a query selecting the symbol.
// Either is written only where the name needs it.
enum class ObjectForm : uint8_t { kShortest, kFullPath };

// "name+0xOFF/0xLEN [mod]... {obj}" [+ ambiguity marker].
void AppendFrameText(const Symbolizer& s, const SymbolInfo& symbol,
                     uint64_t offset, std::string* out,
                     ObjectForm form = ObjectForm::kShortest);
std::string FrameText(const Symbolizer& s, const SymbolInfo& symbol,
                      uint64_t offset, ObjectForm form = ObjectForm::kShortest);
// "?? (reason)".
std::string NotFoundFrameText(NotFoundReason reason);
// The frame text of a lookup result, found or not.
std::string FrameText(const Symbolizer& s, const LookupResult& result);

// A resolved symbol as `ksym resolve` prints it after the address: the
// qualified name [+ ambiguity marker].
std::string ResolvedText(const Symbolizer& s, const SymbolInfo& symbol);
// The same for a Resolve candidate, followed, when the query had /0xLEN, by
// which size LEN matched:
//   "dup {a.o} (LEN matched the kernel's length, the distance to the next symbol)"
std::string ResolvedText(const Symbolizer& s, const Candidate& candidate);
// A `ksym list` line: the /proc/kallmodsyms line [+ ambiguity marker].
std::string ListLine(const Symbolizer& s, const SymbolInfo& symbol);

// The address as every front end prints it in text: 16 lowercase hex
// digits, no 0x.
std::string AddressText(uint64_t address);
// "ADDRESS TEXT": one line of `ksym lookup` (TEXT = a frame text) or
// `ksym resolve` (TEXT = a qualified name), without the newline.
std::string AddressLine(uint64_t address, absl::string_view text);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_API_FRAME_H_
