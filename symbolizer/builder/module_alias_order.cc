#include "symbolizer/builder/module_alias_order.h"

#include <cstddef>
#include <cstdint>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "symbolizer/query/alias_order.h"

namespace ksym {
namespace {

// include/linux/module_symbol.h is_mapping_symbol.
bool IsMappingSymbol(absl::string_view name) {
  return name.empty() || name[0] == '$' || absl::StartsWith(name, ".L") ||
         absl::StartsWith(name, "L0");
}

}  // namespace

size_t MarkModuleAliasFirst(absl::Span<Symbol> symbols) {
  // Address -> the symbol the kernel's scan keeps there (the first).
  absl::flat_hash_map<uint64_t, size_t> first;
  for (size_t i = 0; i < symbols.size(); ++i) {
    if (IsMappingSymbol(symbols[i].name)) continue;
    first.try_emplace(symbols[i].address, i);
  }
  size_t marked = 0;
  for (size_t i = 0; i < symbols.size(); ++i) {
    const Symbol& s = symbols[i];
    if (IsMappingSymbol(s.name)) continue;
    Symbol& kernel = symbols[first.at(s.address)];
    if (&kernel == &s || kernel.module_alias_first) continue;
    if (AliasOrderLess(s.type, s.name, kernel.type, kernel.name)) {
      kernel.module_alias_first = true;
      ++marked;
    }
  }
  return marked;
}

}  // namespace ksym
