// Stage 6 of a build: which built-in modules each object (or address range)
// of vmlinux belongs to. The facts come from the files of the kernel
// build, read by ReadModuleFiles, and are turned into attribution facts by
// BuiltinModuleFacts in one step per kind of evidence, most precise first
// (an object an earlier step placed is never moved by a later one):
//
//   1. modules.builtin.objs   `fs/ext4/ext4.o: fs/ext4/balloc.o ...`
//   2. kbuild .cmd files      KBUILD_MODFILE of each object, a module when
//                             kernel/MODFILE.ko is in modules.builtin
//   3. inference              the objects of multi-object modules that
//                             only modinfo names (a distribution kernel),
//                             from link order and KBUILD_MODNAME evidence
//                             (inferred_modules.h); marked as inferred
//   4. single-object modules  `binfmt_elf.file=fs/binfmt_elf` (modinfo, or
//                             modules.builtin) when fs/binfmt_elf.o exists
//   5. modules.builtin.ranges `.text 0000baf0-0000cb10 amd_uncore`, for
//                             symbols no object step placed
//
// A new kind of evidence (for instance inferring the built-in modules of a
// distribution kernel from what its packages ship) is one more step
// function in module_facts.cc, called from BuiltinModuleFacts in its place
// in that order, recording each object it places in
// ModuleFacts::object_source so `ksym info` counts it under its source.
#ifndef KSYM_SYMBOLIZER_BUILDER_MODULE_FACTS_H_
#define KSYM_SYMBOLIZER_BUILDER_MODULE_FACTS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "symbolizer/attribution/attribution.h"
#include "symbolizer/attribution/builtin_inference.h"
#include "symbolizer/builder/build_log.h"
#include "symbolizer/builder/inputs.h"
#include "symbolizer/builder/kbuild_tree.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/sources/modules_builtin.h"

namespace ksym {

// The parsed module files of a build; each absent when not found.
struct ModuleFiles {
  // modules.builtin: "kernel/fs/ext4/ext4.ko", ...
  std::optional<absl::flat_hash_set<std::string>> builtin;
  std::optional<BuiltinModinfo> modinfo;
  std::optional<std::vector<BuiltinModuleObjects>> objs;
  std::optional<std::vector<BuiltinRange>> ranges;
  std::optional<KbuildTree> kbuild;  // only when it has .cmd files
  // The compile units (or linker-map objects) in link order, for the
  // inference; the builder sets them from the object facts.
  std::vector<LinkedUnit> link_order;
  // The vmlinux's dynamic-debug descriptors (KBUILD_MODNAME, __FILE__).
  std::vector<DyndbgSite> dyndbg;
  // The vmlinux's license variables under `license_dirs`, read only when
  // the inference runs (ReadLicenseSites).
  std::vector<LicenseSite> license_sites;
  std::vector<std::string> license_dirs;
  // Their paths, for messages.
  std::string builtin_path, modinfo_path, objs_path, ranges_path, build_dir;
};

// Reads and parses the module files `inputs` resolved, and the kbuild .cmd
// files of its build tree. Parse errors are errors (`file:line: what`).
absl::StatusOr<ModuleFiles> ReadModuleFiles(const ResolvedInputs& inputs,
                                            BuildLog& log);

struct ModuleFacts {
  // Object → modules, the primary source, and module ranges (absolute).
  AttributionFacts facts;
  // Object path → the source its module set came from.
  absl::flat_hash_map<std::string, FactSource> object_source;
  // Object path → the rule that inferred its module (step 3), for
  // MarkInferredObjects.
  absl::flat_hash_map<std::string, InferenceRule> inferred_rules;
};

// Runs the steps above over `files` (consumed). `catalog` gives the known
// objects (step 3) and the range anchors (step 4); it is not changed.
ModuleFacts BuiltinModuleFacts(ModuleFiles files, const Catalog& catalog,
                               BuildLog& log);

// Attribute() counts every symbol of a listed object under the primary
// source; this moves each to the source that listed its object.
void CountModuleSources(const ModuleFacts& facts, const Catalog& catalog,
                        AttributionStats& stats);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_BUILDER_MODULE_FACTS_H_
