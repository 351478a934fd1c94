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
  // Two symbols of one name print alike when they show the same module set
  // (loadable sets on every symbol, built-in ones on text only) and the
  // same {object} (text only). Compared through the index's ids, without
  // decoding names: this runs for every printed frame.
  const IndexReader& r = s.index();
  auto shown_set = [&](uint32_t set, char type) -> uint32_t {
    if (set == kNoModules) return kNoModules;
    return r.ModuleSetLoadable(set) || IsTextType(type) ? set : kNoModules;
  };
  auto shown_object = [&](uint32_t object, char type) -> absl::string_view {
    return IsTextType(type) ? r.ObjectAnnotation(object) : absl::string_view();
  };
  const uint32_t my_set = shown_set(symbol.module_set, symbol.type);
  const absl::string_view my_object = shown_object(symbol.object, symbol.type);
  uint32_t same = 0, same_text = 0, named = 0;
  r.ForEachNamed(symbol.name(), [&](uint32_t i) {
    ++named;
    uint32_t set, object;
    r.Attribution(i, &set, &object);
    const char type = r.Type(i);
    if (shown_set(set, type) != my_set || shown_object(object, type) != my_object) {
      return;
    }
    ++same;
    same_text += IsTextType(type);
  });
  NameAmbiguity a;
  a.candidates = std::max<uint32_t>(same, 1);
  // ResolveUnique narrows a printed name to the symbols printed so, then
  // to text over data.
  a.unique = named <= 1 || same <= 1 || (IsTextType(symbol.type) && same_text == 1);
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
