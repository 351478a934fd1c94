#include "symbolizer/query/ambiguity.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "symbolizer/catalog/catalog.h"
#include "absl/strings/str_cat.h"

namespace ksym {

uint32_t SameNameCount(const Symbolizer& s, absl::string_view name) {
  uint32_t n = 0;
  s.index().ForEachNamed(name, [&](uint32_t) { ++n; });
  return n;
}

NameAmbiguity Ambiguity(const Symbolizer& s, const SymbolInfo& symbol) {
  const Symbolizer::SameNameCounts c = s.CountSameName(symbol, symbol.name());
  NameAmbiguity a;
  a.candidates = std::max<uint32_t>(c.printed_alike, 1);
  // ResolveUnique narrows a printed name to the symbols printed so, then
  // to text over data.
  a.unique = c.named <= 1 || c.printed_alike <= 1 ||
             (IsTextType(symbol.type) && c.printed_alike_text == 1);
  a.query = a.unique ? s.QualifiedName(symbol) : s.SelectingQuery(symbol);
  return a;
}

std::string AmbiguityMarker(const Symbolizer& s, const SymbolInfo& symbol) {
  const NameAmbiguity a = Ambiguity(s, symbol);
  if (a.unique) return "";
  return absl::StrCat(" (ambiguous, ", a.candidates, " candidates; this one: ",
                      a.query, ")");
}

}  // namespace ksym
