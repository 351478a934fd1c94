// Stage 7 of a build: the loadable modules, at their load addresses. Today
// their symbols come from the kallsyms lines that name a module,
//
//   ffffffffc0a01000 t ext4_fill_super	[ext4]
//
// each module its own module set, marked loadable (so every symbol of it,
// text or data, carries `[ext4]`, as /proc/kallsyms prints them).
#ifndef KSYM_SYMBOLIZER_BUILDER_LOADABLE_MODULES_H_
#define KSYM_SYMBOLIZER_BUILDER_LOADABLE_MODULES_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "symbolizer/builder/build_log.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/sources/kallsyms.h"

namespace ksym {

// Moves the entries that name a module out of `kallsyms` (order kept on
// both sides) and returns them.
std::vector<KallsymsEntry> TakeLoadableModuleEntries(
    std::vector<KallsymsEntry>& kallsyms);

// Appends kallsyms entries to the catalog (moving their names); entries of
// loadable modules get one module set per module, marked loadable.
void AddKallsymsEntries(std::vector<KallsymsEntry>& entries, Catalog& catalog);

// Adds the loadable modules' symbols and notes how many came from `source`.
void AddLoadableModules(std::vector<KallsymsEntry> entries,
                        absl::string_view source, Catalog& catalog,
                        BuildLog& log);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_BUILDER_LOADABLE_MODULES_H_
