// Builds a Catalog from whatever sources are given, for the index writer.
//
//   BuildInputs in;
//   in.vmlinux_path = "/usr/lib/debug/boot/vmlinux-6.1.0-28-cloud-amd64";
//   in.system_map_path = "/usr/lib/debug/boot/System.map-6.1.0-28-cloud-amd64";
//   in.modules_dir = "/lib/modules/6.1.0-28-cloud-amd64";
//   absl::StatusOr<BuildOutput> out = BuildCatalog(in);
//   std::string bytes = *SerializeIndex(out->catalog);
//
// BuildCatalog runs these stages, each its own file pair in this package
// (BuildCatalog in builder.cc reads as this diagram):
//
//   inputs.h            DiscoverInputs: the paths of every source
//   static_symbols.h    link-time symbols: vmlinux .symtab (exact sizes;
//                       System.map decides which, else the mksysmap rules),
//                       else System.map; kallsyms is read beside them
//   kernel_identity.h   release, build-id, arch; vmlinux ↔ kallsyms build-id
//   kaslr.h             the slide from kallsyms vs the static addresses
//   object_facts.h      address → object: linker map, else DWARF CUs;
//                       then STT_FILE groups cross-check and fill
//   module_facts.h      object → built-in modules: modules.builtin.objs,
//                       kbuild .cmd, single-object modules, .ranges
//   kaslr.h             static symbols moved to runtime addresses
//   loadable_modules.h  loadable modules: .ko symtab placed by sys/module
//                       sections, objects from debug .ko DWARF (live
//                       systems), else kallsyms [mod]
//   then sizes, disambiguation and coverage counts.
//
// With kallsyms the index is in runtime addresses; static facts (linker
// map, DWARF) move by the slide. With no inputs at all it indexes the
// running kernel (/proc/kallsyms).
#ifndef KSYM_SYMBOLIZER_BUILDER_BUILDER_H_
#define KSYM_SYMBOLIZER_BUILDER_BUILDER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/attribution/attribution.h"
#include "symbolizer/builder/build_log.h"
#include "symbolizer/builder/inputs.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/disambiguation/disambiguate.h"
#include "symbolizer/sources/kallsyms.h"

namespace ksym {

struct BuildOutput {
  Catalog catalog;
  DisambiguationReport report;
  // Coverage: how many (text) symbols got an object and a module, and from
  // which source.
  AttributionStats attribution;
  // Human-readable notes for the user ("KASLR offset 0x1c000000 from
  // _text", "objects from DWARF: 2172 compile units", ...).
  std::vector<std::string> notes;
  // Facts that looked wrong or were missing and may cost precision (the
  // index is still correct: nothing was guessed).
  std::vector<std::string> warnings;
};

absl::StatusOr<BuildOutput> BuildCatalog(const BuildInputs& inputs,
                                         const ProgressFn& progress = {});

// The pure part, from already parsed entries (tests and benchmarks).
// `system_map` may be empty. Fills identity.kaslr_offset when both are given
// (kallsyms minus System.map address of _text) and checks they agree.
absl::StatusOr<BuildOutput> BuildFromEntries(
    std::vector<KallsymsEntry> kallsyms, std::vector<KallsymsEntry> system_map,
    KernelIdentity identity);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_BUILDER_BUILDER_H_
