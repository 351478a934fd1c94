// Builds a Catalog from whatever sources are given, for the index writer:
// read → merge → attribute objects and built-in modules → finalize sizes →
// disambiguate.
//
//   BuildInputs in;
//   in.vmlinux_path = "/usr/lib/debug/boot/vmlinux-6.1.0-28-cloud-amd64";
//   in.system_map_path = "/usr/lib/debug/boot/System.map-6.1.0-28-cloud-amd64";
//   in.modules_dir = "/lib/modules/6.1.0-28-cloud-amd64";
//   absl::StatusOr<BuildOutput> out = BuildCatalog(in);
//   std::string bytes = *SerializeIndex(out->catalog);
//
// Which facts come from where, most precise first:
//   symbols   vmlinux .symtab (exact sizes; the entries scripts/mksysmap
//             drops are dropped, or System.map decides when given), else
//             System.map, else kallsyms. With kallsyms as well the index
//             is in runtime addresses: the KASLR slide is computed against
//             the static addresses and the loadable-module symbols are
//             taken from kallsyms.
//   objects   the linker map (vmlinux.map; vmlinux.o.map expands vmlinux.o),
//             else the vmlinux DWARF compile units; STT_FILE groups
//             cross-check them and carry a group's object to its data.
//   modules   modules.builtin.objs, kbuild .cmd files (KBUILD_MODFILE, a
//             module when kernel/MODFILE.ko is in modules.builtin), the
//             `file=` of single-object modules in modules.builtin.modinfo
//             (or modules.builtin), then modules.builtin.ranges.
//
// With no inputs at all it indexes the running kernel (/proc/kallsyms).
#ifndef KSYM_SYMBOLIZER_BUILDER_BUILDER_H_
#define KSYM_SYMBOLIZER_BUILDER_BUILDER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/attribution/attribution.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/disambiguation/disambiguate.h"
#include "symbolizer/sources/kallsyms.h"

namespace ksym {

struct BuildInputs {
  std::string kallsyms_path;    // /proc/kallsyms or a saved copy
  std::string system_map_path;  // System.map of the same kernel
  std::string vmlinux_path;     // vmlinux with .symtab (and DWARF)
  std::string linker_map_path;  // vmlinux.map (GNU ld or lld -Map)
  // A /lib/modules/RELEASE directory: modules.builtin,
  // modules.builtin.modinfo (and .objs, .ranges when present).
  std::string modules_dir;
  // A kernel build tree: vmlinux, System.map, vmlinux.map (+ vmlinux.o.map),
  // modules.builtin*, include/config/kernel.release and the .*.o.cmd files.
  // Explicit paths above win over the files found here.
  std::string build_dir;
  // Identity to record; when kallsyms_path is the live /proc/kallsyms and
  // this is empty, the running kernel's identity is used. Fields left empty
  // are filled from vmlinux. With a vmlinux and kallsyms, a non-empty
  // build_id here (or the running kernel's, for /proc/kallsyms) must match
  // the vmlinux's.
  KernelIdentity identity;
  bool identity_given = false;
};

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

// Reports progress as (done, total, what); total 0 = unknown.
using ProgressFn = std::function<void(uint64_t, uint64_t, absl::string_view)>;

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
