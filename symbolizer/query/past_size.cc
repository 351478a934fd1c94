#include "symbolizer/query/past_size.h"

#include <vector>

#include "absl/strings/str_cat.h"

namespace ksym {

std::optional<SymbolInfo> EnclosingPastSize(const Symbolizer& s,
                                            const SymbolInfo& symbol,
                                            uint64_t offset) {
  if (!Symbolizer::PastSize(symbol, offset)) return std::nullopt;
  std::vector<SymbolInfo> all;
  if (s.LookupAll(symbol.address + offset, &all) == 0) return std::nullopt;
  return all[0];
}

std::string PastSizeMarker(const Symbolizer& s, const SymbolInfo& symbol,
                           uint64_t offset) {
  if (!Symbolizer::PastSize(symbol, offset)) return "";
  const std::string size =
      symbol.size_exact ? absl::StrCat("its size 0x", absl::Hex(symbol.size))
                        : "its own address (its size is unknown)";
  std::optional<SymbolInfo> outer = EnclosingPastSize(s, symbol, offset);
  if (!outer.has_value()) {
    // Not a Lookup answer (a caller's own offset): no inference to state.
    return absl::StrCat(" (past ", size, ")");
  }
  const uint64_t address = symbol.address + offset;
  // Its name at the offset (JSON's `enclosing` is the qualified name).
  return absl::StrCat(" (past ", size, ", inside ", outer->name(),
                      "+0x", absl::Hex(address - outer->address), "/0x",
                      absl::Hex(outer->size),
                      ": named as the kernel names it, the nearest symbol "
                      "below)");
}

}  // namespace ksym
