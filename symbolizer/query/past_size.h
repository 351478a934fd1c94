// What a lookup says when its answer lies past its symbol's size: in the
// padding after a nested label, Lookup names what the kernel's %pS names
// (kernel/kallsyms.c get_symbol_pos: the nearest symbol at or below), an
// inference the frame states.
//
//   LookupResult r = s.Lookup(0xffffffff81e019c5);
//   // retbleed_return_thunk (ELF size 2) at +0x5, inside
//   // retbleed_untrain_ret (ELF size 9, starting 1 byte lower)
//   PastSizeMarker(s, r.symbol, r.offset)
//   // " (past its size 0x2, inside retbleed_untrain_ret+0x6/0x9: named
//   //   as the kernel names it, the nearest symbol below)"
#ifndef KSYM_SYMBOLIZER_QUERY_PAST_SIZE_H_
#define KSYM_SYMBOLIZER_QUERY_PAST_SIZE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "symbolizer/query/symbolizer.h"

namespace ksym {

// The innermost symbol whose extent covers symbol.address + offset
// (LookupAll's first) when `offset` lies past `symbol`'s size
// (Symbolizer::PastSize), else nullopt.
std::optional<SymbolInfo> EnclosingPastSize(const Symbolizer& s,
                                            const SymbolInfo& symbol,
                                            uint64_t offset);

// The marker above (names and all, as the index has them: the caller
// escapes them), or "" when `offset` lies within `symbol`'s size.
std::string PastSizeMarker(const Symbolizer& s, const SymbolInfo& symbol,
                           uint64_t offset);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_QUERY_PAST_SIZE_H_
