// Built-in module inference: which objects make up a multi-object built-in
// module when the kernel build's own lists (modules.builtin.objs, .ranges,
// the .cmd files) are missing, as on every distribution kernel. Only what a
// distribution ships is used:
//
//   modules.builtin.modinfo   ext4.file=fs/ext4/ext4         (module → dir)
//   DWARF compile units       fs/ext4/super.o [0xffffffff81460000, ...)
//                             in .debug_info order = link order
//   vmlinux symbols           __initcall__kmod_ext4__415_7285_ext4_init_fs6
//   dynamic-debug descriptors {modname "ext4", filename "fs/ext4/inode.c"}
//
// and the kernel build's rules:
//   1. Every object is compiled with -DKBUILD_MODNAME: the module's name for
//      the members of a module, the object's own basename otherwise. The
//      initcall names (`__initcall__kmod_MODNAME__ID_LINE_FN LEVEL`, 5.13+)
//      and dynamic-debug descriptors carry it: direct evidence.
//   2. A module's members are listed in MODULE-y of its directory's Makefile
//      and kbuild links them in place of the module: in link order they form
//      one run, in the module's directory (or below).
//
// Rules, from strongest to weakest; every inferred fact names its rule:
//   kInitcall, kDynamicDebug  the object itself carries the module's name.
//   kBetweenMembers           link order: between two objects of the module,
//                             with only unknown objects of the module's
//                             directory between them.
//   kDirectoryRun             link order: beside the module's run, up to the
//                             end of its directory's run or an object of
//                             another module. Not taken when the run ends at
//                             a core object (the boundary is unknown), nor
//                             where another module of the same directory has
//                             no evidence at all. A module without any
//                             evidence takes a directory that holds nothing
//                             else, in one run.
//   kNameAffinity             an object two runs claim goes to the module
//                             whose name words (>= 3 letters) name most of
//                             its functions when the other's name none.
// Where the evidence conflicts (two modules claim an object, an object
// carries two names), the object gets no module and is reported: no module
// is better than a wrong one.
//
// Measured on a real kernel build against its .cmd files
// (builtin_inference_kernel_test): precision and recall over the text
// symbols of built-in modules are asserted there.
#ifndef KSYM_SYMBOLIZER_ATTRIBUTION_BUILTIN_INFERENCE_H_
#define KSYM_SYMBOLIZER_ATTRIBUTION_BUILTIN_INFERENCE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace ksym {

// Stored in the index (format.h kModuleRules): values never change meaning.
enum class InferenceRule : uint8_t {
  kNone = 0,
  kInitcall = 1,
  kDynamicDebug = 2,
  kBetweenMembers = 3,
  kDirectoryRun = 4,
  kNameAffinity = 5,
};
inline constexpr size_t kInferenceRuleCount = 6;

// "initcall", "dynamic debug", "between members", "directory run",
// "name affinity".
absl::string_view InferenceRuleName(InferenceRule rule);

// One compile unit (or linker-map object), in link order.
struct LinkedUnit {
  std::string object_path;  // "fs/ext4/super.o"
  std::vector<std::pair<uint64_t, uint64_t>> ranges;  // [begin, end)
};

// A vmlinux symbol: initcall entries and the functions they name.
struct NamedAddress {
  std::string name;
  uint64_t address = 0;
};

// A dynamic-debug descriptor (struct _ddebug): KBUILD_MODNAME and __FILE__
// of the pr_debug site ("ext4", "fs/ext4/inode.c").
struct DyndbgSite {
  std::string modname;
  std::string filename;
};

struct BuiltinInferenceInputs {
  // modules.builtin.modinfo `file=` records: {"ext4", "fs/ext4/ext4"}.
  std::vector<std::pair<std::string, std::string>> module_files;
  // Objects whose module set is already known from exact facts (empty =
  // core kernel). They bound runs and are never inferred; modules named in
  // them are not inferred either.
  absl::flat_hash_map<std::string, std::vector<std::string>> known_objects;
  std::vector<LinkedUnit> units;  // link order
  std::vector<NamedAddress> symbols;
  std::vector<DyndbgSite> dyndbg;
};

struct InferredObject {
  std::string object_path;
  std::string module;
  InferenceRule rule = InferenceRule::kNone;
};

struct BuiltinInference {
  std::vector<InferredObject> objects;  // in link order
  // Multi-object modules considered (not single-object, not known).
  size_t composite_modules = 0;
  // Of those, the ones no object was found for, sorted.
  std::vector<std::string> modules_without_objects;
  // Objects left without a module because the evidence conflicts:
  // "net/x/a.o: initcall says a, dynamic debug says b".
  std::vector<std::string> conflicts;
};

// Pure: the same inputs give the same answer. O((units + symbols) log).
BuiltinInference InferBuiltinModules(const BuiltinInferenceInputs& in);

// The KBUILD_MODNAME and function of an initcall entry symbol:
// "__initcall__kmod_ext4__415_7285_ext4_init_fs6" → {"ext4", "ext4_init_fs"}.
// The level suffix (0-7, 0s-7s, early, con, rootfs) is dropped. False when
// the name is not of that form.
bool ParseInitcallName(absl::string_view symbol, std::string* modname,
                       std::string* function);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_ATTRIBUTION_BUILTIN_INFERENCE_H_
