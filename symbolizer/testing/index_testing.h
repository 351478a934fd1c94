// Helpers shared by tests that build small indexes by hand.
//
//   Catalog c;
//   c.symbols.push_back(MakeSymbol(0xffffffff81000000, "_text", 'T'));
//   std::unique_ptr<Symbolizer> s = SymbolizerFromCatalog(std::move(c));
#ifndef KSYM_SYMBOLIZER_TESTING_INDEX_TESTING_H_
#define KSYM_SYMBOLIZER_TESTING_INDEX_TESTING_H_

#include <memory>
#include <string>
#include <vector>

#include "symbolizer/catalog/catalog.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/sources/kallsyms.h"

namespace ksym {
namespace testutil {

// One parsed kallsyms/System.map line, for tests that build from entries.
KallsymsEntry Entry(uint64_t address, char type, const char* name,
                    const char* module = "");

Symbol MakeSymbol(uint64_t address, const std::string& name, char type = 't',
                  uint64_t size = 0, bool exact = false);

// Two loaded modules of a runtime index: ext4 (range, build-id 3a1f00,
// symbols from its .ko with debug data, .data and .text placed) and fat
// (range inferred from its symbols, nothing else known).
std::vector<LoadedModuleRecord> SampleModules();

// FinalizeSizes, then SymbolizerOfBuilt.
std::unique_ptr<Symbolizer> SymbolizerFromCatalog(Catalog catalog);

// A built catalog (BuildOutput::catalog) as the index file holds it:
// SerializeIndex, open from the bytes with every checksum verified; dies
// on error.
std::unique_ptr<Symbolizer> SymbolizerOfBuilt(const Catalog& built);

}  // namespace testutil
}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_TESTING_INDEX_TESTING_H_
