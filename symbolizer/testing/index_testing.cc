#include "symbolizer/testing/index_testing.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "symbolizer/index/reader.h"
#include "symbolizer/index/writer.h"

namespace ksym {
namespace testutil {

KallsymsEntry Entry(uint64_t address, char type, const char* name,
                    const char* module) {
  KallsymsEntry e;
  e.address = address;
  e.type = type;
  e.name = name;
  e.module = module;
  return e;
}

Symbol MakeSymbol(uint64_t address, const std::string& name, char type,
                  uint64_t size, bool exact) {
  Symbol s;
  s.address = address;
  s.name = name;
  s.type = type;
  s.size = size;
  s.size_exact = exact;
  return s;
}

std::unique_ptr<Symbolizer> SymbolizerFromCatalog(Catalog catalog) {
  catalog.FinalizeSizes();
  absl::StatusOr<std::string> bytes = SerializeIndex(catalog);
  if (!bytes.ok()) {
    std::fprintf(stderr, "SerializeIndex: %s\n", bytes.status().ToString().c_str());
    std::abort();
  }
  absl::StatusOr<std::unique_ptr<IndexReader>> r =
      IndexReader::FromBuffer(*std::move(bytes), "test");
  if (!r.ok()) {
    std::fprintf(stderr, "FromBuffer: %s\n", r.status().ToString().c_str());
    std::abort();
  }
  return std::make_unique<Symbolizer>(*std::move(r));
}

}  // namespace testutil
}  // namespace ksym
