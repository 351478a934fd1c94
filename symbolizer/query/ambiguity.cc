#include "symbolizer/query/ambiguity.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace ksym {

uint32_t SameNameCount(const Symbolizer& s, absl::string_view name) {
  uint32_t n = 0;
  s.index().ForEachNamed(name, [&](uint32_t) { ++n; });
  return n;
}

NameAmbiguity Ambiguity(const Symbolizer& s, const SymbolInfo& symbol) {
  NameAmbiguity a;
  if (SameNameCount(s, symbol.name()) <= 1) {
    a.query = s.QualifiedName(symbol);
    return a;
  }
  const std::string qualified = s.QualifiedName(symbol);
  a.candidates = 0;
  s.index().ForEachNamed(symbol.name(), [&](uint32_t i) {
    if (i == symbol.index || s.QualifiedName(s.Symbol(i)) == qualified) {
      ++a.candidates;
    }
  });
  a.query = s.SelectingQuery(symbol);
  a.unique = !absl::StrContains(a.query, " @0x");
  return a;
}

std::string AmbiguityMarker(const Symbolizer& s, const SymbolInfo& symbol) {
  const NameAmbiguity a = Ambiguity(s, symbol);
  if (a.unique) return "";
  return absl::StrCat(" (ambiguous, ", a.candidates, " candidates; this one: ",
                      a.query, ")");
}

}  // namespace ksym
