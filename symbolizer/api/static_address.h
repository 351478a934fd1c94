// Link-time (static) addresses on a runtime index. KASLR moves the core
// kernel's image by the index's KASLR offset; loadable modules, absolute
// symbols (a, A) and x86_64 per-CPU data (listed as A) do not have a
// vmlinux address that way.
//
//   StaticStart(s, sym)         // sym.address - kaslr_offset, or nullopt
//   RuntimeFromStatic(index, 0xffffffff81000000)   // `lookup --static`
//   ShiftForKaslrOffset(index, 0x2a400000)  // `lookup --kaslr-offset`
#ifndef KSYM_SYMBOLIZER_API_STATIC_ADDRESS_H_
#define KSYM_SYMBOLIZER_API_STATIC_ADDRESS_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {

// The vmlinux (link-time) start of a core-kernel symbol of a runtime index
// whose KASLR offset is known; nullopt otherwise (static index: its start
// is already static; module, absolute and per-CPU symbols have none).
std::optional<uint64_t> StaticStart(const Symbolizer& s,
                                    const SymbolInfo& symbol);

// The address in the index's space of a link-time vmlinux address: itself
// on a static index, plus the KASLR offset on a runtime one.
// FailedPrecondition when the runtime index's offset is unknown.
absl::StatusOr<uint64_t> RuntimeFromStatic(const IndexReader& index,
                                           uint64_t static_address);

// What to subtract from an address the running kernel printed to place it
// in the index, given that kernel's KASLR offset (`--kaslr-offset`, an
// oops's "Kernel Offset:" line): the offset itself on a static index; 0 on
// a runtime index whose own offset it is (or unknown, nothing to check).
// InvalidArgument when a runtime index has another offset: its addresses
// are of another boot.
absl::StatusOr<uint64_t> ShiftForKaslrOffset(const IndexReader& index,
                                             uint64_t kaslr_offset);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_API_STATIC_ADDRESS_H_
