// Whether a printed name still leaves a doubt: every front end marks a
// symbol whose qualified name (`name [mod] {obj}`) does not select it
// alone, so no output hides an ambiguity.
//
//   NameAmbiguity a = Ambiguity(s, symbol);
//   // a.unique == false, a.candidates == 2, a.query == "init_once @0xffffffff81000300"
//   AmbiguityMarker(s, symbol)
//   // " (ambiguous, 2 candidates; this one: init_once @0xffffffff81000300)"
//
// The marker starts like the stream rewriter's ambiguity note (" (ambiguous,
// "), so rewriting output again recognizes and replaces it.
#ifndef KSYM_SYMBOLIZER_QUERY_AMBIGUITY_H_
#define KSYM_SYMBOLIZER_QUERY_AMBIGUITY_H_

#include <cstdint>
#include <string>

#include "symbolizer/query/symbolizer.h"

namespace ksym {

struct NameAmbiguity {
  // The qualified name alone selects this symbol (ResolveUnique gives it).
  bool unique = true;
  // Symbols printed with this qualified name (all types), this one included.
  uint32_t candidates = 1;
  // A query selecting it: the qualified name, or with @0xADDR when not unique.
  std::string query;
};

NameAmbiguity Ambiguity(const Symbolizer& s, const SymbolInfo& symbol);

// "" when unique, else " (ambiguous, N candidates; this one: QUERY)".
std::string AmbiguityMarker(const Symbolizer& s, const SymbolInfo& symbol);

// Symbols of the index named `name` (any type, any module).
uint32_t SameNameCount(const Symbolizer& s, absl::string_view name);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_QUERY_AMBIGUITY_H_
