#include "symbolizer/attribution/attribution.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <queue>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "symbolizer/names/qualified_name.h"

namespace ksym {
namespace {

constexpr int32_t kNoRange = -1;

// At equal size the linker map names the input object exactly; DWARF
// names the compile unit, which an object may share.
int SourceRank(FactSource source) {
  switch (source) {
    case FactSource::kLinkerMap:
      return 0;
    case FactSource::kDwarf:
      return 1;
    default:
      return 2;
  }
}

// Visits the symbols in address order (`order`), passing the index of the
// best range covering each, or kNoRange. `better(a, b)` orders ranges of
// `ranges`; a heap holds the ranges begun so far, and a range that has
// ended is popped once it reaches the top, since addresses only grow.
template <typename Range, typename Better, typename Visit>
void Sweep(const std::vector<Range>& ranges, Better better,
           const std::vector<uint32_t>& order,
           const std::vector<Symbol>& symbols, Visit visit) {
  std::vector<uint32_t> by_begin;
  by_begin.reserve(ranges.size());
  for (uint32_t i = 0; i < ranges.size(); ++i) {
    if (ranges[i].begin < ranges[i].end) by_begin.push_back(i);
  }
  std::sort(by_begin.begin(), by_begin.end(), [&](uint32_t a, uint32_t b) {
    return ranges[a].begin < ranges[b].begin;
  });
  auto worse = [&](uint32_t a, uint32_t b) { return better(b, a); };
  std::priority_queue<uint32_t, std::vector<uint32_t>, decltype(worse)> open(
      worse);
  size_t next = 0;
  for (uint32_t i : order) {
    uint64_t address = symbols[i].address;
    while (next < by_begin.size() && ranges[by_begin[next]].begin <= address) {
      open.push(by_begin[next++]);
    }
    while (!open.empty() && ranges[open.top()].end <= address) open.pop();
    visit(i, open.empty() ? kNoRange : static_cast<int32_t>(open.top()));
  }
}

}  // namespace

size_t PaddingFollowsItsFunction(Catalog& catalog) {
  constexpr uint64_t kMaxPadding = 64;
  absl::flat_hash_map<absl::string_view, std::vector<uint32_t>> functions;
  for (const Symbol& s : catalog.symbols) {
    if (IsPaddingSymbol(s.name)) functions[absl::string_view(s.name).substr(6)];
  }
  if (functions.empty()) return 0;
  for (uint32_t i = 0; i < catalog.symbols.size(); ++i) {
    auto it = functions.find(catalog.symbols[i].name);
    if (it != functions.end()) it->second.push_back(i);
  }
  size_t moved = 0;
  for (Symbol& s : catalog.symbols) {
    if (!IsPaddingSymbol(s.name)) continue;
    auto it = functions.find(absl::string_view(s.name).substr(6));
    const Symbol* best = nullptr;
    for (uint32_t f : it->second) {
      const Symbol& fn = catalog.symbols[f];
      if (fn.address > s.address && fn.address - s.address <= kMaxPadding &&
          (best == nullptr || fn.address < best->address)) {
        best = &fn;
      }
    }
    if (best == nullptr) continue;
    moved += s.object != best->object || s.module_set != best->module_set;
    s.object = best->object;
    s.module_set = best->module_set;
  }
  return moved;
}

absl::string_view FactSourceName(FactSource source) {
  switch (source) {
    case FactSource::kNone:
      return "none";
    case FactSource::kKallsyms:
      return "kallsyms";
    case FactSource::kLinkerMap:
      return "linker map";
    case FactSource::kDwarf:
      return "DWARF";
    case FactSource::kStFile:
      return "STT_FILE";
    case FactSource::kModulesBuiltinObjs:
      return "modules.builtin.objs";
    case FactSource::kModulesBuiltinModinfo:
      return "modules.builtin.modinfo";
    case FactSource::kModulesBuiltinRanges:
      return "modules.builtin.ranges";
    case FactSource::kKbuildCmd:
      return "kbuild .cmd";
    case FactSource::kLoadableModule:
      return "loadable module";
    case FactSource::kInferred:
      return "inferred";
  }
  return "unknown";
}

AttributionStats Attribute(const AttributionFacts& facts, Catalog& catalog) {
  AttributionStats stats;
  std::vector<Symbol>& symbols = catalog.symbols;

  std::vector<uint32_t> order(symbols.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return symbols[a].address < symbols[b].address;
  });

  const std::vector<ObjectRange>& object_ranges = facts.object_ranges;
  auto better_object = [&](uint32_t a, uint32_t b) {
    const ObjectRange& x = object_ranges[a];
    const ObjectRange& y = object_ranges[b];
    return std::make_tuple(x.end - x.begin, SourceRank(x.source),
                           absl::string_view(x.object_path), x.begin, a) <
           std::make_tuple(y.end - y.begin, SourceRank(y.source),
                           absl::string_view(y.object_path), y.begin, b);
  };
  // Interning costs a hash lookup per call; ranges are far fewer than
  // symbols, so intern once per range.
  std::vector<uint32_t> range_object(object_ranges.size(), kNoObject);
  Sweep(object_ranges, better_object, order, symbols,
        [&](uint32_t i, int32_t range) {
          Symbol& s = symbols[i];
          if (s.object != kNoObject) {
            ++stats.kept_objects;
            return;
          }
          if (range == kNoRange) return;
          uint32_t& object = range_object[range];
          if (object == kNoObject) {
            object = catalog.InternObject(object_ranges[range].object_path);
          }
          s.object = object;
          ++stats.object_from[static_cast<size_t>(object_ranges[range].source)];
        });

  // Per object id: its module set from object_modules, kUnknown when the
  // object is not listed there.
  constexpr int64_t kUnset = -1;
  constexpr int64_t kUnknown = -2;
  std::vector<int64_t> object_set(catalog.objects.size(), kUnset);
  auto module_set_of_object = [&](uint32_t object) {
    int64_t& set = object_set[object];
    if (set == kUnset) {
      auto it = facts.object_modules.find(catalog.objects[object].path);
      set = it == facts.object_modules.end()
                ? kUnknown
                : static_cast<int64_t>(catalog.InternModuleSet(it->second));
    }
    return set;
  };

  const std::vector<ModuleRange>& module_ranges = facts.module_ranges;
  auto better_module = [&](uint32_t a, uint32_t b) {
    const ModuleRange& x = module_ranges[a];
    const ModuleRange& y = module_ranges[b];
    uint64_t x_size = x.end - x.begin;
    uint64_t y_size = y.end - y.begin;
    return std::tie(x_size, x.modules, x.begin, a) <
           std::tie(y_size, y.modules, y.begin, b);
  };
  std::vector<int64_t> range_set(module_ranges.size(), kUnset);
  Sweep(
      module_ranges, better_module, order, symbols,
      [&](uint32_t i, int32_t range) {
        Symbol& s = symbols[i];
        if (s.module_set != kNoModules) {
          ++stats.module_from[static_cast<size_t>(FactSource::kLoadableModule)];
          return;
        }
        if (s.object < catalog.objects.size()) {
          int64_t set = module_set_of_object(s.object);
          if (set != kUnknown) {
            s.module_set = static_cast<uint32_t>(set);
            if (set != kNoModules) {
              ++stats.module_from[static_cast<size_t>(
                  facts.object_modules_source)];
            }
            return;
          }
        }
        if (range == kNoRange) return;
        int64_t& set = range_set[range];
        if (set == kUnset) {
          set = catalog.InternModuleSet(module_ranges[range].modules);
        }
        s.module_set = static_cast<uint32_t>(set);
        if (set != kNoModules) {
          ++stats.module_from[static_cast<size_t>(
              FactSource::kModulesBuiltinRanges)];
        }
      });

  for (const Symbol& s : symbols) {
    bool text = IsTextType(s.type);
    bool object = s.object != kNoObject;
    bool module = s.module_set != kNoModules;
    ++stats.symbols;
    stats.text_symbols += text;
    stats.with_object += object;
    stats.text_with_object += text && object;
    stats.with_module += module;
    stats.text_with_module += text && module;
  }
  return stats;
}

absl::flat_hash_map<std::string, std::vector<std::string>>
ObjectModulesFromBuiltinObjs(
    const std::vector<std::pair<std::string, std::vector<std::string>>>&
        builtin_objs) {
  absl::flat_hash_map<std::string, std::vector<std::string>> result;
  for (const auto& [module_object, members] : builtin_objs) {
    // fs/nls/nls_iso8859-1.o → nls_iso8859_1.
    std::string module = ModuleNameOfPath(module_object);
    if (members.empty()) {
      result[module_object].push_back(module);
    } else {
      for (const std::string& member : members) {
        result[member].push_back(module);
      }
    }
  }
  for (auto& [object, modules] : result) {
    std::sort(modules.begin(), modules.end());
    modules.erase(std::unique(modules.begin(), modules.end()), modules.end());
  }
  return result;
}

}  // namespace ksym
