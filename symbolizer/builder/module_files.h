// Part of stage 7 (loadable modules): for each loaded module of a live
// system under ROOT, where it sits and which files describe it. Nothing is
// parsed here beyond the small sysfs files; the .ko files are only located
// (loadable_modules.h reads them and checks their build-ids).
//
//   ROOT/sys/module/M/sections/*                  section -> load address
//   ROOT/sys/module/M/notes/.note.gnu.build-id    the module's build-id
//   ROOT/lib/modules/R/modules.dep                M -> kernel/.../M.ko[.xz]
//   (else a walk of ROOT/lib/modules/R for M.ko, M.ko.xz, M.ko.zst, M.ko.gz)
//   debug candidates, in order:
//     ROOT/usr/lib/debug/lib/modules/R/<path>      (Debian -dbg, Ubuntu
//     ROOT/usr/lib/debug/lib/modules/R/<path>.debug  -dbgsym, Fedora
//                                                   kernel-debuginfo)
//     ROOT/usr/lib/debug/.build-id/xx/rest.debug   (by the module's build-id)
//     a walk of ROOT/usr/lib/debug/lib/modules/R   (M.ko, M.ko.debug)
//     ModuleDebugLookup                            (e.g. debuginfod)
//
//   std::vector<LoadedModuleFiles> m = FindLoadedModuleFiles(root, release, names, {});
//   m[0].sections.at(".text") == 0xffffffffc0381000
//   m[0].ko_candidates[0] == ROOT/lib/modules/R/kernel/drivers/virtio/...
#ifndef KSYM_SYMBOLIZER_BUILDER_MODULE_FILES_H_
#define KSYM_SYMBOLIZER_BUILDER_MODULE_FILES_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ksym {

// A hook for finding a module's debug file by build-id where the file
// system has none (debuginfod: fetch it into a cache and return the local
// path). Called only for modules with a known build-id and no local debug
// file; NotFound = "no such file there", other errors are reported.
using ModuleDebugLookup = std::function<absl::StatusOr<std::string>(
    absl::string_view module, absl::string_view build_id)>;

struct LoadedModuleFiles {
  std::string name;  // as the kernel names it ("sha256_ssse3")
  // ROOT/sys/module/M: section name -> load address (zeros when this reader
  // may not see them; then `sections` is empty and `hidden` is true).
  absl::flat_hash_map<std::string, uint64_t> sections;
  bool hidden = false;
  std::string sections_dir;
  // From ROOT/sys/module/M/notes/.note.gnu.build-id; "" when unreadable.
  std::string build_id;
  std::string build_id_file;
  // Existing files that may be this module, in the order to try.
  std::vector<std::string> ko_candidates;
  std::vector<std::string> debug_candidates;
};

struct ModuleSearch {
  std::string root;     // "/" or the --root directory
  std::string release;  // uname -r of the kernel under root
  ModuleDebugLookup debug_lookup;  // may be empty
};

// One LoadedModuleFiles per name in `names` (order kept). Missing files just
// leave fields empty: the caller says what that costs.
std::vector<LoadedModuleFiles> FindLoadedModuleFiles(const ModuleSearch& search,
                                         const std::vector<std::string>& names);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_BUILDER_MODULE_FILES_H_
