#include "symbolizer/catalog/catalog.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/strings/str_join.h"

namespace ksym {

Catalog::Catalog() {
  module_sets.emplace_back();  // kNoModules
  module_set_ids_.emplace("", kNoModules);
}

uint32_t Catalog::InternModuleSet(std::vector<std::string> modules) {
  std::sort(modules.begin(), modules.end());
  modules.erase(std::unique(modules.begin(), modules.end()), modules.end());
  // Module names never contain spaces, so a space-joined key is unambiguous.
  std::string key = absl::StrJoin(modules, " ");
  auto [it, inserted] =
      module_set_ids_.emplace(std::move(key), module_sets.size());
  if (inserted) module_sets.push_back(std::move(modules));
  return it->second;
}

uint32_t Catalog::InternObject(absl::string_view path) {
  auto [it, inserted] = object_ids_.emplace(path, objects.size());
  if (inserted) objects.push_back({std::string(path), ""});
  return it->second;
}

void Catalog::FinalizeSizes() {
  // Sources list symbols mostly in address order (kallsyms, System.map),
  // so check that before paying for a full sort of 72-byte records; alias
  // groups are small and get sorted by name on their own.
  auto by_address = [](const Symbol& a, const Symbol& b) {
    return a.address < b.address;
  };
  if (!std::is_sorted(symbols.begin(), symbols.end(), by_address)) {
    std::stable_sort(symbols.begin(), symbols.end(), by_address);
  }
  for (size_t begin = 0; begin < symbols.size();) {
    size_t end = begin + 1;
    while (end < symbols.size() &&
           symbols[end].address == symbols[begin].address) {
      ++end;
    }
    if (end - begin > 1) {
      std::stable_sort(symbols.begin() + begin, symbols.begin() + end,
                       [](const Symbol& a, const Symbol& b) {
                         return a.name < b.name;
                       });
    }
    begin = end;
  }
  // Walk address groups backwards, remembering the next higher address.
  size_t end = symbols.size();
  bool have_next = false;
  uint64_t next_address = 0;
  while (end > 0) {
    size_t begin = end - 1;
    while (begin > 0 && symbols[begin - 1].address == symbols[end - 1].address)
      --begin;
    // A sizeless alias of a sized symbol (ELF st_size 0 next to the real
    // function, e.g. ftrace_ops_list_func) ends where that symbol ends, not
    // in the padding up to the next one.
    bool alias_sized = false;
    uint64_t alias_size = 0;
    for (size_t i = begin; i < end; ++i) {
      if (symbols[i].size_exact) {
        alias_sized = true;
        alias_size = std::max(alias_size, symbols[i].size);
      }
    }
    for (size_t i = begin; i < end; ++i) {
      Symbol& s = symbols[i];
      if (s.size_exact) continue;
      if (alias_sized) {
        s.size = alias_size;
        s.size_exact = true;
      } else {
        s.size = have_next ? next_address - s.address : 0;
      }
    }
    next_address = symbols[begin].address;
    have_next = true;
    end = begin;
  }
}

}  // namespace ksym
