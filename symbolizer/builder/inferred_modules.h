// The builder's use of built-in module inference (attribution/
// builtin_inference.h): for the multi-object built-in modules that no exact
// source describes (a distribution kernel: modules.builtin.modinfo only),
// adds inferred object → module facts and says what it did.
//
//   ksym: modules: inferred 67 objects of 9 multi-object built-in modules
//         (initcall 9, dynamic debug 12, between members 30, directory run 16)
#ifndef KSYM_SYMBOLIZER_BUILDER_INFERRED_MODULES_H_
#define KSYM_SYMBOLIZER_BUILDER_INFERRED_MODULES_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "symbolizer/attribution/attribution.h"
#include "symbolizer/attribution/builtin_inference.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/sources/modules_builtin.h"

namespace ksym {

struct InferredModuleFacts {
  // Object path → {module}, for the attribution step.
  absl::flat_hash_map<std::string, std::vector<std::string>> object_modules;
  // Object path → the rule that inferred its module.
  absl::flat_hash_map<std::string, InferenceRule> rules;
  std::vector<std::string> notes;
  std::vector<std::string> warnings;
};

// `in` holds the module files, the exact object → modules facts (known),
// the compile units (or linker-map objects) in link order and the
// KBUILD_MODNAME and license evidence; the catalog supplies the symbols
// (initcall entries and their functions).
InferredModuleFacts InferModuleFacts(BuiltinInferenceInputs in,
                                     const Catalog& catalog);

// The `MODNAME.file=MODFILE` records of modules.builtin.modinfo in file
// order, repeats kept.
std::vector<ModinfoFileRecord> FileRecords(const BuiltinModinfo& modinfo);

// The license variables (DwarfUnit::license_records) of the vmlinux's
// compile units under `dirs` (LicenseDirectories), in link order; units
// without any are left out. Errors are ReadDwarfUnitsFile's.
absl::StatusOr<std::vector<LicenseSite>> ReadLicenseSites(
    const std::string& root, const std::string& vmlinux,
    const std::vector<std::string>& dirs);

// The objects of `ranges` in order of first appearance: for DWARF ranges
// (pushed per compile unit in .debug_info order) the link order; for
// linker-map ranges, address order.
std::vector<LinkedUnit> LinkedUnitsInOrder(
    const std::vector<ObjectRange>& ranges);

// Marks the objects of `catalog` whose module set was inferred.
void MarkInferredObjects(
    const absl::flat_hash_map<std::string, InferenceRule>& rules,
    Catalog& catalog);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_BUILDER_INFERRED_MODULES_H_
