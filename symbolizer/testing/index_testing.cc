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

std::vector<LoadedModuleRecord> SampleModules() {
  LoadedModuleRecord ext4;
  ext4.name = "ext4";
  ext4.base = 0xffffffffc0a00000;
  ext4.size = 0x80000;
  ext4.build_id = "3a1f00";
  ext4.symbols_from_ko = true;
  ext4.debug_read = true;
  ext4.sections = {{".data", 0xffffffffc0a70000},
                   {".text", 0xffffffffc0a01000}};
  LoadedModuleRecord fat;
  fat.name = "fat";
  fat.base = 0xffffffffc0b00000;
  fat.size = 0x1234;
  fat.range_inferred = true;
  return {ext4, fat};
}

std::unique_ptr<Symbolizer> SymbolizerFromCatalog(Catalog catalog) {
  catalog.FinalizeSizes();
  return SymbolizerOfBuilt(catalog);
}

std::unique_ptr<Symbolizer> SymbolizerOfBuilt(const Catalog& built) {
  absl::StatusOr<std::string> bytes = SerializeIndex(built);
  if (!bytes.ok()) {
    std::fprintf(stderr, "SerializeIndex: %s\n", bytes.status().ToString().c_str());
    std::abort();
  }
  absl::StatusOr<std::unique_ptr<IndexReader>> r = IndexReader::FromBuffer(
      *std::move(bytes), "test", {.verify_checksums = true});
  if (!r.ok()) {
    std::fprintf(stderr, "FromBuffer: %s\n", r.status().ToString().c_str());
    std::abort();
  }
  return std::make_unique<Symbolizer>(*std::move(r));
}

}  // namespace testutil
}  // namespace ksym
