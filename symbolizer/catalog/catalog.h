// The in-memory model of one kernel's symbols, filled by the sources and the
// attribution step, consumed by disambiguation and the index writer.
//
//   Catalog catalog;
//   catalog.identity.release = "6.1.0-28-cloud-amd64";
//   uint32_t ext4 = catalog.InternModuleSet({"ext4"});
//   catalog.symbols.push_back({0xffffffff81234560, 0, false, 't',
//                              "ext4_fill_super", ext4, kNoObject});
//   catalog.FinalizeSizes();   // sort by address, infer missing sizes
#ifndef KSYM_SYMBOLIZER_CATALOG_CATALOG_H_
#define KSYM_SYMBOLIZER_CATALOG_CATALOG_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "symbolizer/sources/elf/line_table.h"

namespace ksym {

// The kernel's KSYM_NAME_LEN (include/linux/kallsyms.h, 512 since 6.1):
// scripts/kallsyms refuses names of KSYM_NAME_LEN bytes or more, so no
// kallsyms name is longer than kMaxSymbolNameLength. The one limit for
// every name: the parsers refuse longer ones with their file:line, the
// index writer and proto import refuse them, VerifyStructure reports them.
inline constexpr size_t kKsymNameLen = 512;
inline constexpr size_t kMaxSymbolNameLength = kKsymNameLen - 1;

// Object ids index Catalog::objects; kNoObject means "not attributed".
inline constexpr uint32_t kNoObject = 0xffffffffu;
// Module-set id 0 is always the empty set (core kernel).
inline constexpr uint32_t kNoModules = 0;

// Which addresses an index speaks: link-time (vmlinux) or the running kernel
// (after KASLR, loadable modules at their load addresses).
enum class AddressSpace : uint8_t { kStatic = 0, kRuntime = 1 };

struct KernelIdentity {
  std::string release;   // `uname -r`, empty if unknown
  std::string build_id;  // lowercase hex of NT_GNU_BUILD_ID, empty if unknown
  std::string arch;      // "x86_64", ...
  AddressSpace address_space = AddressSpace::kRuntime;
  int64_t kaslr_offset = 0;  // runtime minus static address, when known
  // False for a runtime index whose slide nothing told (kallsyms alone):
  // the offset is unknown, not 0.
  bool kaslr_offset_known = true;
};

// Whether a build found one of its sources.
enum class SourceState : uint8_t { kFound = 0, kMissing = 1, kRejected = 2 };

// One source a build looked for: what it is ("vmlinux", "modules.builtin"),
// where it was (or would have been), and, unless found, why not ("build-id
// 3a1f... but the running kernel's is 9c02..."). Recorded in the index so
// `ksym info` can say what an index was built from.
struct InputSource {
  std::string what;
  std::string path;
  SourceState state = SourceState::kMissing;
  std::string why;
};

// "found", "missing", "rejected".
inline const char* SourceStateName(SourceState state) {
  switch (state) {
    case SourceState::kFound:
      return "found";
    case SourceState::kMissing:
      return "missing";
    case SourceState::kRejected:
      return "rejected";
  }
  return "?";
}

struct Symbol {
  uint64_t address = 0;
  uint64_t size = 0;
  // True when `size` came from the source (ELF st_size); false when it was
  // inferred as the distance to the next higher address (kallsyms semantics).
  bool size_exact = false;
  // Set on the symbol a loadable module's own symtab order makes the
  // kernel name at its address (kernel/module/kallsyms.c
  // find_kallsyms_symbol), when that is not the one the alias rules of
  // vmlinux would pick (query/alias_order.h).
  bool module_alias_first = false;
  char type = '?';  // kallsyms type letter: t T d D b B r R w W v V a A u U ...
  std::string name;
  uint32_t module_set = kNoModules;
  uint32_t object = kNoObject;
};

// Text symbols (t T w W) are the ones kallmodsyms annotates.
inline bool IsTextType(char type) {
  return type == 't' || type == 'T' || type == 'w' || type == 'W';
}

// The one naming rule for every symbol type: a name is made unique among
// the symbols of its kind, text (t T w W: what /proc/kallmodsyms annotates)
// or data (every other type: d D r R b B v V ...), by its module set and
// then its object's {annotation} for that kind. Annotations are found and
// shown per kind, so a data collision (`__key.0` in 100 objects) never
// changes how a function prints: text lines stay what the kernel prints.
enum class NameKind : uint8_t { kText = 0, kData = 1 };
inline constexpr size_t kNameKindCount = 2;
inline NameKind NameKindOf(char type) {
  return IsTextType(type) ? NameKind::kText : NameKind::kData;
}

// An object file the kernel was linked from, by its path relative to the
// kernel build directory ("kernel/sched/core.o"). The annotations are filled
// by disambiguation, one per NameKind: empty, or the shortest
// distinguishing suffix ("sched/core.o").
struct ObjectFile {
  std::string path;
  std::string annotation;       // shown on its text symbols
  std::string data_annotation;  // shown on its data symbols
  const std::string& Annotation(NameKind kind) const {
    return kind == NameKind::kText ? annotation : data_annotation;
  }
  std::string& Annotation(NameKind kind) {
    return kind == NameKind::kText ? annotation : data_annotation;
  }
  // 0 when the module set of this object's symbols is a fact of the build
  // (or none); else the InferenceRule (attribution/builtin_inference.h)
  // that inferred it.
  uint8_t module_rule = 0;
};

// A loadable module of a runtime index: where it was loaded and what the
// build read of it.
struct ModuleSectionAddress {
  std::string name;  // ".text", ".data", ...
  uint64_t address = 0;
};
struct LoadedModuleRecord {
  std::string name;  // "ext4"
  // Core range [base, base + size): from /proc/modules, or, when
  // range_inferred, from the lowest symbol to the highest symbol end.
  uint64_t base = 0;
  uint64_t size = 0;
  bool range_inferred = false;
  std::string build_id;  // lowercase hex, "" unknown
  bool symbols_from_ko = false;  // else from its kallsyms lines alone
  bool debug_read = false;       // its debug .ko's DWARF gave objects
  std::vector<ModuleSectionAddress> sections;  // sorted by name
};

class Catalog {
 public:
  Catalog();

  KernelIdentity identity;
  std::vector<Symbol> symbols;
  std::vector<ObjectFile> objects;
  // module_sets[id] is a sorted, duplicate-free list of module names.
  std::vector<std::vector<std::string>> module_sets;
  // Module sets of loadable modules (kallsyms `[mod]`, a module's .ko).
  // Every module set, built-in or loadable, is shown on every symbol.
  absl::flat_hash_set<uint32_t> loadable_module_sets;
  // The sources the build looked for (may be empty).
  std::vector<InputSource> sources;
  // The vmlinux's source lines and inline trees (from its DWARF), or null:
  // the index's optional line section (index/line_section.h).
  std::shared_ptr<const LineTable> lines;
  // The loadable modules' lines of a runtime index, placed at their load
  // addresses (one linked-style table for all), or null: the optional
  // kModuleLines section.
  std::shared_ptr<const LineTable> module_lines;
  // Loadable modules of a runtime index, sorted by name (may be empty).
  std::vector<LoadedModuleRecord> modules;

  // Returns the id of `modules` (sorted and deduplicated first), adding it if
  // new. The empty set is kNoModules.
  uint32_t InternModuleSet(std::vector<std::string> modules);
  // Returns the id of the object at `path`, adding it if new.
  uint32_t InternObject(absl::string_view path);

  // Sorts symbols by (address, name) and gives every symbol without an exact
  // size the distance to the next higher address. The last address group
  // gets size 0: nothing says where it ends. A sizeless alias of a sized
  // symbol takes (exactly) the largest size at its address instead.
  void FinalizeSizes();

 private:
  absl::flat_hash_map<std::string, uint32_t> module_set_ids_;
  absl::flat_hash_map<std::string, uint32_t> object_ids_;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_CATALOG_CATALOG_H_
