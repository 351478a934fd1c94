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
//   3. A built-in object's MODULE_LICENSE emits a `MODNAME.file=MODFILE`
//      record (include/linux/module.h MODULE_FILE) into .modinfo, which
//      modules.builtin.modinfo keeps in link order; vmlinux drops the
//      section, its DWARF keeps the variable (`__UNIQUE_ID_file<N>`, an
//      array of the record's size). The k-th such variable in a directory's
//      units is the k-th record of that directory's modules.
//
// Rules, from strongest to weakest; every inferred fact names its rule:
//   kInitcall, kDynamicDebug  the object itself carries the module's name.
//   kModuleLicense            the object holds the module's MODULE_LICENSE:
//                             used for a directory only when its records
//                             and variables pair up one to one, each of
//                             the record's size, each in the record's
//                             module directory. A unit without code that
//                             holds one is a member at its place in link
//                             order (LicenseSite::after_object): it anchors
//                             the module's run as an object does, and no
//                             other module's run extends across it.
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
//                             its functions when the other's name none, or
//                             else to the one whose name alone has a word
//                             of its path below that module's directory
//                             (lib/zstd/compress/hist.o: zstd_compress,
//                             not zstd_decompress). Where
//                             the two modules own the objects on either
//                             side, the boundary is one cut: the objects
//                             up to the last one settled for the first
//                             module are its (kBetweenMembers), those from
//                             the first one settled for the second on are
//                             the second's; verdicts out of that order
//                             settle nothing.
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
#include <optional>
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
  kModuleLicense = 6,
};
inline constexpr size_t kInferenceRuleCount = 7;

// "initcall", "dynamic debug", "between members", "directory run",
// "name affinity", "module license".
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

// A `MODNAME.file=MODFILE` record of modules.builtin.modinfo:
// {"crypto", "crypto/crypto", 26} (size with the NUL).
struct ModinfoFileRecord {
  std::string module;  // "a:b" for an object two modules share
  std::string file;    // "dir/a dir/b" then
  uint32_t size = 0;
};

// The `__UNIQUE_ID_file<N>` variables of one compile unit: their sizes in
// DWARF order (DwarfUnit::license_records).
struct LicenseSite {
  std::string object_path;  // "crypto/api.o"; the unit may have no code
  std::vector<uint32_t> sizes;
  // A unit without code (no unit of BuiltinInferenceInputs::units:
  // lib/crypto/curve25519-generic.o, the license of libcurve25519-generic
  // beside its tables) has no address, only a place in link order: the
  // object of the nearest unit with code before it ("" when none is).
  // nullopt when not known: then its license anchors no link-order run.
  std::optional<std::string> after_object;
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
  // Every `file=` record in file order, repeats kept.
  std::vector<ModinfoFileRecord> file_records;
  // The units with license variables, in link order, of the directories
  // in `license_dirs` (and below), whose units were all read: a directory
  // not read gets no kModuleLicense evidence.
  std::vector<LicenseSite> license_sites;
  std::vector<std::string> license_dirs;
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
  // Directories whose file records and license variables do not pair up
  // (no kModuleLicense evidence there): "drivers/x: 3 records, 4
  // variables".
  std::vector<std::string> unpaired_license_dirs;
};

// Pure: the same inputs give the same answer. O((units + symbols) log).
BuiltinInference InferBuiltinModules(const BuiltinInferenceInputs& in);

// The directories of the modules that may have several objects (module
// files that are no unit's object), sorted, without repeats: the units
// under them are the ones to read for license sites.
std::vector<std::string> LicenseDirectories(
    const std::vector<std::pair<std::string, std::string>>& module_files,
    const std::vector<LinkedUnit>& units);

// The KBUILD_MODNAME and function of an initcall entry symbol:
// "__initcall__kmod_ext4__415_7285_ext4_init_fs6" → {"ext4", "ext4_init_fs"}.
// The level suffix (0-7, 0s-7s, early, con, rootfs) is dropped. False when
// the name is not of that form.
bool ParseInitcallName(absl::string_view symbol, std::string* modname,
                       std::string* function);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_ATTRIBUTION_BUILTIN_INFERENCE_H_
