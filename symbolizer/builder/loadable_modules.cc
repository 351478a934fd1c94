#include "symbolizer/builder/loadable_modules.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace ksym {

std::vector<KallsymsEntry> TakeLoadableModuleEntries(
    std::vector<KallsymsEntry>& kallsyms) {
  std::vector<KallsymsEntry> modules;
  size_t kept = 0;
  for (size_t i = 0; i < kallsyms.size(); ++i) {
    if (!kallsyms[i].module.empty()) {
      modules.push_back(std::move(kallsyms[i]));
    } else {
      if (kept != i) kallsyms[kept] = std::move(kallsyms[i]);
      ++kept;
    }
  }
  kallsyms.resize(kept);
  return modules;
}

void AddKallsymsEntries(std::vector<KallsymsEntry>& entries,
                        Catalog& catalog) {
  absl::flat_hash_map<std::string, uint32_t> module_sets;
  catalog.symbols.reserve(catalog.symbols.size() + entries.size());
  for (KallsymsEntry& e : entries) {
    Symbol s;
    s.address = e.address;
    s.type = e.type;
    s.name = std::move(e.name);
    if (!e.module.empty()) {
      auto it = module_sets.find(e.module);
      if (it == module_sets.end()) {
        const uint32_t id = catalog.InternModuleSet({e.module});
        catalog.loadable_module_sets.insert(id);
        it = module_sets.emplace(e.module, id).first;
      }
      s.module_set = it->second;
    }
    catalog.symbols.push_back(std::move(s));
  }
}

void AddLoadableModules(std::vector<KallsymsEntry> entries,
                        absl::string_view source, Catalog& catalog,
                        BuildLog& log) {
  AddKallsymsEntries(entries, catalog);
  log.Note(absl::StrCat(entries.size(), " loadable-module symbols from ",
                        source));
}

}  // namespace ksym
