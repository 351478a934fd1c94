#include "symbolizer/builder/module_symbols.h"

#include <elf.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "symbolizer/builder/module_alias_order.h"
#include "symbolizer/catalog/catalog.h"

namespace ksym {
namespace {

// Section-relative ranges of the compile units, per section, sorted.
struct UnitRange {
  uint64_t begin;
  uint64_t end;
  const std::string* object;
};
using RangesBySection =
    absl::flat_hash_map<std::string, std::vector<UnitRange>>;

RangesBySection IndexUnits(const DwarfUnits* units) {
  RangesBySection out;
  if (units == nullptr || !units->relocatable) return out;
  for (const DwarfUnit& u : units->units) {
    for (size_t i = 0; i < u.ranges.size() && i < u.range_sections.size();
         ++i) {
      out[u.range_sections[i]].push_back(
          {u.ranges[i].first, u.ranges[i].second, &u.object_path});
    }
  }
  for (auto& [section, ranges] : out) {
    std::sort(ranges.begin(), ranges.end(),
              [](const UnitRange& a, const UnitRange& b) {
                return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
              });
  }
  return out;
}

// The object whose unit covers `offset` in `section`, or nullptr. Units do
// not overlap within a section (each byte of code is compiled once).
const std::string* ObjectAt(const RangesBySection& index,
                            const std::string& section, uint64_t offset) {
  auto it = index.find(section);
  if (it == index.end()) return nullptr;
  const std::vector<UnitRange>& r = it->second;
  auto next = std::upper_bound(
      r.begin(), r.end(), offset,
      [](uint64_t v, const UnitRange& u) { return v < u.begin; });
  if (next == r.begin()) return nullptr;
  const UnitRange& u = *(next - 1);
  return offset < u.end ? u.object : nullptr;
}

}  // namespace

bool Placeable(const ElfSymbol& s) {
  if (s.name.empty()) return false;
  // GNU as's local labels with a \x02 byte (".L14472\x02" "1" in arm64's
  // sha256-arm64.ko): the kernel's %pS never names a .L label, and
  // /proc/kallsyms's reader skips them too.
  for (char c : s.name) {
    if (static_cast<unsigned char>(c) <= ' ' && absl::StartsWith(s.name, ".L")) {
      return false;
    }
  }
  if (s.section_index == SHN_UNDEF || s.section_index >= SHN_LORESERVE) {
    return false;  // undefined, absolute, common
  }
  return (s.section_flags & SHF_ALLOC) != 0;
}

PlacedModule PlaceModuleSymbols(
    const ElfSymbolTable& symtab, const DwarfUnits* units,
    const absl::flat_hash_map<std::string, uint64_t>& sections,
    std::vector<KallsymsEntry> kallsyms) {
  PlacedModule out;
  const RangesBySection index = IndexUnits(units);
  // name -> indexes into out.symbols.
  absl::flat_hash_map<absl::string_view, std::vector<size_t>> by_name;
  out.symbols.reserve(symtab.symbols.size());
  for (const ElfSymbol& s : symtab.symbols) {
    if (!Placeable(s)) continue;
    if (absl::StartsWith(s.section_name, ".init")) {
      ++out.init_dropped;
      continue;
    }
    auto base = sections.find(s.section_name);
    if (base == sections.end()) {
      ++out.unplaced;
      continue;
    }
    PlacedSymbol p;
    p.address = base->second + s.value;
    p.size = s.size;
    p.type = s.nm_type;
    p.name = s.name;
    if (const std::string* object = ObjectAt(index, s.section_name, s.value)) {
      p.object = *object;
    }
    if (IsTextType(p.type)) {
      ++out.text_symbols;
      out.text_with_object += !p.object.empty();
    }
    out.symbols.push_back(std::move(p));
  }
  for (size_t i = 0; i < out.symbols.size(); ++i) {
    by_name[out.symbols[i].name].push_back(i);
  }
  for (KallsymsEntry& e : kallsyms) {
    auto it = by_name.find(e.name);
    if (it == by_name.end()) {
      out.kallsyms_only.push_back(std::move(e));
      continue;
    }
    bool found = false;
    for (size_t i : it->second) {
      if (out.symbols[i].address == e.address) {
        out.symbols[i].type = e.type;  // the kernel's letter
        found = true;
        break;
      }
    }
    if (found) {
      ++out.kallsyms_agree;
      continue;
    }
    ++out.kallsyms_disagree;
    if (out.disagree_examples.size() < 5) {
      out.disagree_examples.push_back(absl::StrCat(
          e.name, " at 0x", absl::Hex(e.address), " in kallsyms, 0x",
          absl::Hex(out.symbols[it->second[0]].address), " from the .ko"));
    }
  }
  return out;
}

void AddPlacedSymbols(uint32_t module_set, PlacedModule& placed,
                      Catalog& catalog) {
  const size_t begin = catalog.symbols.size();
  for (PlacedSymbol& p : placed.symbols) {
    Symbol s;
    s.address = p.address;
    s.size = p.size;
    s.size_exact = true;
    s.type = p.type;
    s.name = std::move(p.name);
    s.module_set = module_set;
    if (!p.object.empty()) s.object = catalog.InternObject(p.object);
    catalog.symbols.push_back(std::move(s));
  }
  // Placed in symtab order: the kernel names the first of aliases.
  MarkModuleAliasFirst(absl::MakeSpan(catalog.symbols).subspan(begin));
}

}  // namespace ksym
