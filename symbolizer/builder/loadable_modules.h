// Stage 7 of a build: the loadable modules, at their load addresses.
//
// On a live system (or under --root) each loaded module (ROOT/proc/modules
// and the kallsyms lines that name one) is read from its files
// (module_files.h finds them):
//   - its .ko (.ko.xz, .ko.zst, .ko.gz): every symbol placed by
//     ROOT/sys/module/M/sections, with its exact st_size;
//   - its debug .ko: the DWARF compile units give each symbol its object,
//     so names repeated inside one module get {obj} as in vmlinux;
//   - each file must carry the build-id of ROOT/sys/module/M/notes; one
//     that does not is rejected, naming both ids, and never used.
// A module with no usable .ko keeps its kallsyms lines,
//
//   ffffffffc0a01000 t ext4_fill_super	[ext4]
//
// as before, and the build says so. Each module is its own module set,
// marked loadable (every symbol of it, text or data, carries `[ext4]`, as
// /proc/kallsyms prints them). Without a live system (a saved kallsyms),
// only the kallsyms lines are used.
#ifndef KSYM_SYMBOLIZER_BUILDER_LOADABLE_MODULES_H_
#define KSYM_SYMBOLIZER_BUILDER_LOADABLE_MODULES_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "symbolizer/builder/build_log.h"
#include "symbolizer/builder/module_files.h"
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

struct LoadableModuleSources {
  std::string kallsyms;  // where `entries` came from, for messages
  // Set on a live system (ROOT/proc/kallsyms): read the modules' files.
  bool live = false;
  ModuleSearch search;   // root, release, debug lookup
  // Read each debug .ko's source lines too (catalog.module_lines,
  // builder/module_lines.h); false with --no-lines.
  bool lines = true;
};

// Adds the loadable modules' symbols (from `entries`, the kallsyms lines
// naming a module, and on a live system the modules' files), appends what
// it looked for to catalog.sources and notes what it did.
void AddLoadableModules(std::vector<KallsymsEntry> entries,
                        const LoadableModuleSources& sources, Catalog& catalog,
                        BuildLog& log);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_BUILDER_LOADABLE_MODULES_H_
