// The loadable modules of an index, as every front end shows them: `ksym
// modules`, the C API's ksym_modules, Python's Index.modules(). One
// decides what is said; the front ends only carry it.
//
//   for (const ModuleListing& m : ListModules(reader))
//     puts(ModuleLine(m).c_str());
//   // ext4 0xffffffffc0a00000-0xffffffffc0a80000 build-id 3a1f... symbols
//   //   from .ko with debug data, 23 sections
//
// A static index, or a runtime index built from a saved kallsyms without
// /proc/modules, has none, or ranges inferred from the symbols (said so).
#ifndef KSYM_SYMBOLIZER_API_MODULE_LIST_H_
#define KSYM_SYMBOLIZER_API_MODULE_LIST_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "symbolizer/index/reader.h"

namespace ksym {

struct ModuleListing {
  std::string name;
  uint64_t base = 0;
  uint64_t size = 0;
  bool range_inferred = false;
  std::string build_id;  // "" unknown
  bool symbols_from_ko = false;
  bool debug_read = false;
  std::vector<std::pair<std::string, uint64_t>> sections;  // by name
};

// Every module of the index, sorted by name.
std::vector<ModuleListing> ListModules(const IndexReader& index);

// What the build read of the module: "symbols from .ko with debug data",
// "symbols from .ko, no debug data", "symbols from kallsyms only".
std::string ModuleSymbolsFrom(const ModuleListing& m);

// One line, no newline: "NAME BASE-END build-id ID|(unknown) SYMBOLS-FROM,
// N sections", with " (range inferred from its symbols)" after the range
// when it is; untrusted bytes escaped (names/printable.h).
std::string ModuleLine(const ModuleListing& m);

// Its sections, one line each ("  .text 0xffffffffc0a01000").
std::vector<std::string> ModuleSectionLines(const ModuleListing& m);

// The JSON object (one line): name, base, size, end, range_inferred,
// build_id (null when unknown), symbols_from_ko, debug_read, symbols_from,
// sections ([{name,address}]); addresses as "0x..." strings.
std::string ModuleJson(const ModuleListing& m);

// What `ksym modules` prints when the index lists none, and why.
std::string NoModulesText(const IndexReader& index);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_API_MODULE_LIST_H_
