// Part of stage 7 (loadable modules): one module's symbols at their load
// addresses, from its parsed .ko. Pure: no I/O.
//
// A .ko is relocatable: each symbol's value is relative to its section,
//
//   readelf -s virtio_pci.ko      101: 0000000000001a50  95 FUNC LOCAL  3 vp_get
//   sys/module/virtio_pci/sections/.text     0xffffffffc0381000
//   -> ffffffffc0382a50 t vp_get  [virtio_pci]   size 95 (exact)
//
// and each DWARF compile unit of the debug .ko covers section-relative
// ranges (".text+1a50-1e51" for drivers/virtio/virtio_pci_legacy.c), which
// give the symbol its object ({virtio_pci_legacy}). As the kernel does
// (kernel/module/kallsyms.c is_core_symbol), only symbols of allocated
// sections are placed, and none of .init.* sections, freed after loading.
//
// The module's kallsyms lines, when there are, are the running kernel's
// word: a .ko symbol at the same name and address takes the kallsyms type
// letter; a kallsyms name the .ko places elsewhere is a disagreement (the
// caller refuses the .ko then); kallsyms lines the .ko has no symbol for
// are kept as they are.
#ifndef KSYM_SYMBOLIZER_BUILDER_MODULE_SYMBOLS_H_
#define KSYM_SYMBOLIZER_BUILDER_MODULE_SYMBOLS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/sources/elf/dwarf_units.h"
#include "symbolizer/sources/elf/elf_symtab.h"
#include "symbolizer/sources/kallsyms.h"

namespace ksym {

struct PlacedSymbol {
  uint64_t address = 0;
  uint64_t size = 0;  // st_size, exact
  char type = '?';
  std::string name;
  std::string object;  // "drivers/virtio/virtio_pci_legacy.o", or ""
};

struct PlacedModule {
  std::vector<PlacedSymbol> symbols;
  // Kallsyms lines of the module no .ko symbol stands for (kept as such).
  std::vector<KallsymsEntry> kallsyms_only;
  size_t text_symbols = 0;       // placed text symbols (t T w W)
  size_t text_with_object = 0;   // ... of which DWARF gave an object
  size_t init_dropped = 0;       // symbols of .init.* sections
  size_t unplaced = 0;           // in an allocated section with no address
  size_t kallsyms_agree = 0;     // kallsyms lines found at the .ko's address
  // Kallsyms lines whose name the .ko places at another address.
  size_t kallsyms_disagree = 0;
  std::vector<std::string> disagree_examples;
};

// Whether a .ko symbol is placed at all: named, in a real section (not
// undefined, absolute or common) that is allocated, and not a local label
// whose name holds a control byte (GNU as's ".L14472\x02" "1").
bool Placeable(const ElfSymbol& s);

// Places `symtab`'s symbols by `sections` (section name -> load address);
// `units` (the debug .ko's compile units, relocatable) may be null.
// `kallsyms` are the module's kallsyms lines, consumed.
PlacedModule PlaceModuleSymbols(
    const ElfSymbolTable& symtab, const DwarfUnits* units,
    const absl::flat_hash_map<std::string, uint64_t>& sections,
    std::vector<KallsymsEntry> kallsyms);

// Adds `placed`'s symbols to `catalog` with the module set `module_set`
// (exact sizes, objects interned; of aliases, the one the kernel names
// marked: module_alias_order.h); the symbols' strings are moved out.
void AddPlacedSymbols(uint32_t module_set, PlacedModule& placed,
                      Catalog& catalog);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_BUILDER_MODULE_SYMBOLS_H_
