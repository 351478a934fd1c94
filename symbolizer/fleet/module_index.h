// A static index of one module build, from its .ko or debug .ko: the same
// index serves every host and boot that loads that build, wherever the
// loader put its sections.
//
// A .ko's symbol values are section-relative. The index places each
// allocated section (not .init.*, freed after loading) at a fixed address of
// its own, executable sections first, each kSectionSpacing past the end of
// the previous one so that an offset past a section's last symbol falls in
// a gap (the index answers "in a gap", never a neighbour):
//
//   .text          0xffffffe000000000 + OFF
//   .text.unlikely 0xffffffe008000000 + OFF    (when .text < 64 MiB)
//   .data          ...
//
// The debug .ko's source lines are placed at the same bases (format.h
// kModuleLines), so `--lines` answers a SECTION+OFFSET frame too. It
// records the placement in the index's sources, one entry a section
// (`what` "module section", `path` the section name, `why` "0xBASE"), so a
// reader knows where SECTION+OFFSET is (ModuleSectionBases).
//
//   absl::StatusOr<std::string> bytes = BuildModuleIndex("virtio_pci.ko");
#ifndef KSYM_SYMBOLIZER_FLEET_MODULE_INDEX_H_
#define KSYM_SYMBOLIZER_FLEET_MODULE_INDEX_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {

inline constexpr uint64_t kModuleIndexBase = 0xffffffe000000000;
// Past the 64 MiB a sizeless symbol may reach (address_rule.h).
inline constexpr uint64_t kSectionSpacing = uint64_t{128} << 20;
inline constexpr char kModuleSectionSource[] = "module section";

// The catalog of the relocatable ELF (.ko, .ko.xz/.zst/.gz, debug .ko) at
// `path`: symbols placed as above, objects from its DWARF when it has
// some, identity: release = module name, the file's build-id, static
// address space. InvalidArgument when it is not a relocatable ELF or has no
// build-id.
absl::StatusOr<Catalog> ModuleCatalog(const std::string& path);

// Section name -> placed base, from an index ModuleCatalog built; empty for
// any other index (a kernel's).
absl::flat_hash_map<std::string, uint64_t> ModuleSectionBases(
    const Symbolizer& index);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_FLEET_MODULE_INDEX_H_
