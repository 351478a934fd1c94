// Attribution: gives each catalog symbol the object file it was linked from
// and the built-in modules that object belongs to, from facts the sources
// gathered:
//
//   object range: [0xffffffff810005fb, +0x1c3) init/main.o, from vmlinux.map
//     ` .text          0xffffffff810005fb      0x1c3 init/main.o`
//   object → modules: fs/ext4/super.o → ext4, from modules.builtin.objs
//     `fs/ext4/ext4.o: fs/ext4/balloc.o fs/ext4/super.o`
//   module range: [0xffffffff8100baf0, 0xffffffff8100cb10) amd_uncore, from
//     modules.builtin.ranges `.text 0000baf0-0000cb10 amd_uncore`
#ifndef KSYM_SYMBOLIZER_ATTRIBUTION_ATTRIBUTION_H_
#define KSYM_SYMBOLIZER_ATTRIBUTION_ATTRIBUTION_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "symbolizer/catalog/catalog.h"

namespace ksym {

// Where a fact came from, so `ksym info` can say how well a build is covered.
enum class FactSource : uint8_t {
  kNone,
  kKallsyms,
  kLinkerMap,
  kDwarf,
  kStFile,
  kModulesBuiltinObjs,
  kModulesBuiltinModinfo,
  kModulesBuiltinRanges,
  kKbuildCmd,
  kLoadableModule,
  // Built-in module inference (builtin_inference.h): modinfo, link order,
  // KBUILD_MODNAME evidence. Not a fact of the build; marked in the index.
  kInferred,
};
inline constexpr size_t kFactSourceCount = 11;

// "linker map", "DWARF", "modules.builtin.objs", ...
absl::string_view FactSourceName(FactSource source);

// [begin, end) was linked from `object_path` (relative to the build
// directory: "kernel/sched/core.o").
struct ObjectRange {
  uint64_t begin = 0;
  uint64_t end = 0;
  std::string object_path;
  FactSource source = FactSource::kNone;
};

// [begin, end) belongs to the built-in modules `modules`, in absolute
// addresses (the caller converts modules.builtin.ranges offsets).
struct ModuleRange {
  uint64_t begin = 0;
  uint64_t end = 0;
  std::vector<std::string> modules;
};

struct AttributionFacts {
  // May overlap or nest (DWARF CU ranges of inlined or cold parts): the
  // smallest covering range wins; at equal size the linker map beats DWARF,
  // which beats any other source, then the smaller path. Empty ranges are
  // ignored.
  std::vector<ObjectRange> object_ranges;
  // Object path → the built-in modules it is linked into. An object listed
  // with no modules is known to be core kernel: ranges are not consulted.
  absl::flat_hash_map<std::string, std::vector<std::string>> object_modules;
  FactSource object_modules_source = FactSource::kModulesBuiltinObjs;
  // Used for symbols whose object is unknown or not in object_modules. The
  // smallest covering range wins, then the smaller module list.
  std::vector<ModuleRange> module_ranges;
};

struct AttributionStats {
  size_t symbols = 0;
  size_t text_symbols = 0;
  // Symbols (all types / text only) with an object after attribution.
  size_t with_object = 0;
  size_t text_with_object = 0;
  // Symbols (all types / text only) with a non-empty module set after.
  size_t with_module = 0;
  size_t text_with_module = 0;
  // Objects that were already set and were kept.
  size_t kept_objects = 0;
  // Indexed by FactSource: symbols whose object came from a range of that
  // source, and symbols whose module set came from that source (module sets
  // already present count as kLoadableModule).
  std::array<size_t, kFactSourceCount> object_from{};
  std::array<size_t, kFactSourceCount> module_from{};
};

// Fills symbol.object (unless already set) and symbol.module_set (unless
// already non-empty: loadable-module symbols named by kallsyms `[mod]`).
// Interns only the objects and module sets it assigns. Runs in
// O((symbols + ranges) log(symbols + ranges)).
AttributionStats Attribute(const AttributionFacts& facts, Catalog& catalog);

// Turns modules.builtin.objs entries (`fs/ext4/ext4.o: fs/ext4/balloc.o
// ...` as {"fs/ext4/ext4.o", {"fs/ext4/balloc.o", ...}}) into object →
// module names. A module without members is its own single object. Module
// names are the module object's basename without `.o`, with `-` as `_`
// (nls_iso8859-1.o → nls_iso8859_1). An object in several modules maps to
// all of them, sorted and deduplicated.
absl::flat_hash_map<std::string, std::vector<std::string>>
ObjectModulesFromBuiltinObjs(
    const std::vector<std::pair<std::string, std::vector<std::string>>>&
        builtin_objs);

// CONFIG_FUNCTION_PADDING (6.2+) puts `__pfx_NAME` in the padding right
// before NAME (objtool adds it after the object's other symbols, so its
// STT_FILE group and range attribution are unreliable). Gives every
// __pfx_NAME the object and module set of the NAME that follows it within
// 64 bytes; returns how many it moved.
size_t PaddingFollowsItsFunction(Catalog& catalog);

// CONFIG_FUNCTION_PADDING's `__pfx_NAME`, the padding before NAME.
inline bool IsPaddingSymbol(absl::string_view name) {
  return name.size() > 6 && name.substr(0, 6) == "__pfx_";
}

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_ATTRIBUTION_ATTRIBUTION_H_
