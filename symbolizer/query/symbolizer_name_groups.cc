// Symbolizer: names shared by many symbols, examined once per name
// (name_groups.h). See symbolizer.h.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/names/qualified_name.h"
#include "symbolizer/query/name_groups.h"
#include "symbolizer/query/query_parser.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {

const NameGroup* Symbolizer::LargeNameGroup(absl::string_view name,
                                            std::vector<uint32_t>* hits) const {
  if (const NameGroup* g = name_groups_->Find(name)) return g;
  hits->clear();
  index_->ForEachNamed(name, [&](uint32_t i) { hits->push_back(i); });
  if (hits->size() < large_name_group_) return nullptr;
  return name_groups_->Insert(name, BuildNameGroup(*hits));
}

NameGroup Symbolizer::BuildNameGroup(
    const std::vector<uint32_t>& members) const {
  NameGroup g;
  g.named = static_cast<uint32_t>(members.size());
  for (uint32_t i : members) {
    const SymbolInfo s = Symbol(i);
    // What a symbol shows when printed: its module set and DisplayObject.
    NameGroup::AlikeCounts& alike =
        g.alike[PrintedKey(s.module_set, DisplayObject(s))];
    ++alike.all;
    alike.text += IsTextType(s.type);

    ForEachDisplayModule(s, [&](absl::string_view m) {
      if (!IsModuleNameText(m)) g.module_names_plain = false;
    });
    // Resolve keeps a symbol for `{OBJ}` when OBJ is a suffix of its
    // object path; a symbol its own qualified name's query would not keep
    // is no candidate of that query.
    absl::string_view object = DisplayObject(s);
    absl::ConsumeSuffix(&object, ".o");
    if (!object.empty() &&
        !ObjectSuffixMatches(index_->ObjectPath(index_->ObjectOf(i)), object)) {
      continue;
    }
    NameGroup::Selectable& sel = g.by_qualified_name[QualifiedName(s)];
    sel.sizes.push_back(s.size);
    if (IsTextType(s.type)) sel.text_sizes.push_back(s.size);
  }
  for (auto& [name, sel] : g.by_qualified_name) {
    std::sort(sel.sizes.begin(), sel.sizes.end());
    std::sort(sel.text_sizes.begin(), sel.text_sizes.end());
  }
  return g;
}

Symbolizer::SameNameCounts Symbolizer::CountSameName(
    const SymbolFacts& symbol, absl::string_view name) const {
  // Compared through the index's ids, without decoding names: this runs
  // for every printed frame.
  const uint32_t my_set = symbol.module_set;
  const absl::string_view my_object = DisplayObject(symbol);
  SameNameCounts c;
  std::vector<uint32_t> hits;
  if (const NameGroup* g = LargeNameGroup(name, &hits)) {
    c.named = g->named;
    auto it = g->alike.find(PrintedKey(my_set, my_object));
    if (it != g->alike.end()) {
      c.printed_alike = it->second.all;
      c.printed_alike_text = it->second.text;
    }
    return c;
  }
  for (uint32_t i : hits) {
    ++c.named;
    uint32_t set, object;
    index_->Attribution(i, &set, &object);
    const char type = index_->Type(i);
    if (set != my_set || DisplayObject(object, type) != my_object) {
      continue;
    }
    ++c.printed_alike;
    c.printed_alike_text += IsTextType(type);
  }
  return c;
}

std::optional<bool> Symbolizer::SelectsAlone(const NameGroup& g,
                                             const Query& q,
                                             const SymbolInfo& s) const {
  // Narrowed(q) keeps, of Resolve(q), the symbols whose qualified name is
  // q as printed, then text over data. When q as printed is s's qualified
  // name, those are the symbols of that qualified name that q's filters
  // keep ({object} suffix, +OFF within the size); every one of them has
  // the same module set as s, so the module filter keeps them all.
  if (!g.module_names_plain) return std::nullopt;
  const std::string printed = FormatQualifiedName(
      q.name, q.modules, q.object.empty() ? "" : absl::StrCat(q.object, ".o"));
  if (printed != QualifiedName(s)) return std::nullopt;
  auto it = g.by_qualified_name.find(printed);
  if (it == g.by_qualified_name.end()) return false;  // q does not keep s
  const uint64_t offset = q.offset.value_or(0);
  const SymbolFacts mine = Facts(s.index);
  absl::string_view object = DisplayObject(s);
  absl::ConsumeSuffix(&object, ".o");
  const bool keeps_s =
      offset <= mine.size &&
      (object.empty() ||
       ObjectSuffixMatches(index_->ObjectPath(index_->ObjectOf(s.index)),
                           object));
  if (!keeps_s) return false;
  const NameGroup::Selectable& sel = it->second;
  return CountAtLeast(sel.sizes, offset) == 1 ||
         (IsTextType(s.type) && CountAtLeast(sel.text_sizes, offset) == 1);
}

}  // namespace ksym
