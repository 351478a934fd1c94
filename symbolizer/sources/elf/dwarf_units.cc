#include "symbolizer/sources/elf/dwarf_units.h"

#include <dwarf.h>
#include <elfutils/libdw.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "symbolizer/sources/elf/dwarf_file.h"

namespace ksym {
namespace {

// Top-level directories of the kernel tree; relative unit names add more.
constexpr absl::string_view kKernelTopDirs[] = {
    "arch",    "block", "certs",    "crypto",  "drivers", "fs",
    "include", "init",  "io_uring", "ipc",     "kernel",  "lib",
    "mm",      "net",   "rust",     "samples", "scripts", "security",
    "sound",   "tools", "usr",      "virt"};

// Lexically collapses "//", "." and "dir/.." (no file system access).
std::string NormalizePath(absl::string_view path) {
  bool absolute = absl::StartsWith(path, "/");
  std::vector<absl::string_view> parts;
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    if (part == ".") continue;
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
        continue;
      }
      if (absolute) continue;  // "/.." is "/"
    }
    parts.push_back(part);
  }
  return absl::StrCat(absolute ? "/" : "", absl::StrJoin(parts, "/"));
}

// "kernel/sched/core.c" -> "kernel/sched/core.o".
std::string ObjectFromSource(absl::string_view source) {
  size_t slash = source.rfind('/');
  size_t base = slash == absl::string_view::npos ? 0 : slash + 1;
  size_t dot = source.rfind('.');
  if (dot != absl::string_view::npos && dot > base) {
    source = source.substr(0, dot);
  }
  return absl::StrCat(source, ".o");
}

absl::string_view FirstComponent(absl::string_view path) {
  return path.substr(0, path.find('/'));
}

// Adds to `out` the address of every variable under `scope` whose
// location is a single DW_OP_addr, descending (when `descend`) only into
// scopes that can hold variables (types and parameters are skipped whole).
void CollectVariables(Dwarf_Die* scope, uint64_t bias, bool descend,
                      std::vector<uint64_t>* out) {
  Dwarf_Die child;
  if (dwarf_child(scope, &child) != 0) return;
  do {
    switch (dwarf_tag(&child)) {
      case DW_TAG_variable: {
        Dwarf_Attribute attr;
        Dwarf_Op* ops = nullptr;
        size_t n = 0;
        if (dwarf_attr(&child, DW_AT_location, &attr) != nullptr &&
            dwarf_getlocation(&attr, &ops, &n) == 0 && n == 1 &&
            ops[0].atom == DW_OP_addr) {
          out->push_back(ops[0].number + bias);
        }
        break;
      }
      case DW_TAG_subprogram:
      case DW_TAG_lexical_block:
      case DW_TAG_inlined_subroutine:
      case DW_TAG_namespace:
        if (descend) CollectVariables(&child, bias, descend, out);
        break;
      default:
        break;
    }
  } while (dwarf_siblingof(&child, &child) == 0);
}

// The sizes of the file-scope `__UNIQUE_ID_file<digits>` char arrays of
// `unit` (MODULE_LICENSE's `file=` .modinfo records), in DIE order.
void CollectLicenseRecords(Dwarf_Die* unit, std::vector<uint32_t>* out) {
  constexpr absl::string_view kPrefix = "__UNIQUE_ID_file";
  Dwarf_Die child;
  if (dwarf_child(unit, &child) != 0) return;
  do {
    if (dwarf_tag(&child) != DW_TAG_variable) continue;
    const char* name = dwarf_diename(&child);
    if (name == nullptr) continue;
    absl::string_view n = name;
    // MODULE_PARM_DESC(file, ...) is also `__UNIQUE_ID_file<N>`: the size
    // check against the record tells them apart (builtin_inference.h).
    if (!absl::ConsumePrefix(&n, kPrefix) || n.empty() ||
        !std::all_of(n.begin(), n.end(),
                     [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    Dwarf_Attribute attr;
    Dwarf_Die type;
    Dwarf_Word size = 0;
    // An unknown size is 0: the variable still counts.
    if (dwarf_attr_integrate(&child, DW_AT_type, &attr) == nullptr ||
        dwarf_formref_die(&attr, &type) == nullptr ||
        dwarf_aggregate_size(&type, &size) != 0 || size > UINT32_MAX) {
      size = 0;
    }
    out->push_back(static_cast<uint32_t>(size));
  } while (dwarf_siblingof(&child, &child) == 0);
}

// Appends every compile/skeleton unit of `file`. In a relocatable file,
// addresses are turned back into section-relative offsets.
absl::Status CollectUnits(const DwarfFile& file, DwarfUnitsOptions options,
                          std::vector<DwarfUnit>* units) {
  Dwarf* dwarf = file.dwarf;
  absl::string_view path = file.path;
  Dwarf_CU* cu = nullptr;
  Dwarf_CU* next = nullptr;
  while (true) {
    Dwarf_Half version = 0;
    uint8_t unit_type = 0;
    Dwarf_Die cudie;
    int rc = dwarf_get_units(dwarf, cu, &next, &version, &unit_type, &cudie,
                             nullptr);
    if (rc == 1) break;
    if (rc != 0) return LibdwError(path, "reading a unit header");
    cu = next;
    if (unit_type != DW_UT_compile && unit_type != DW_UT_skeleton) continue;
    DwarfUnit& unit = units->emplace_back();
    unit.version = version;
    Dwarf_Off die_offset = dwarf_dieoffset(&cudie);
    unit.offset = die_offset - dwarf_cuoffset(&cudie);
    if (const char* name = dwarf_diename(&cudie); name != nullptr) {
      unit.name = name;
    }
    Dwarf_Attribute attr;
    if (dwarf_attr(&cudie, DW_AT_comp_dir, &attr) != nullptr) {
      if (const char* dir = dwarf_formstring(&attr); dir != nullptr) {
        unit.comp_dir = dir;
      }
    }
    Dwarf_Addr base = 0;
    Dwarf_Addr start = 0;
    Dwarf_Addr end = 0;
    ptrdiff_t offset = 0;
    while ((offset = dwarf_ranges(&cudie, offset, &base, &start, &end)) > 0) {
      if (start >= end) continue;
      if (!file.relocatable) {
        unit.ranges.emplace_back(start + file.bias, end + file.bias);
        continue;
      }
      absl::StatusOr<SectionOffset> at = ToSectionOffset(file, start);
      if (!at.ok()) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "%s: unit at 0x%x (%s): range 0x%x-0x%x lies in no section", path,
            unit.offset, unit.name, start, end));
      }
      unit.ranges.emplace_back(at->offset, at->offset + (end - start));
      unit.range_sections.emplace_back(at->section);
    }
    if (offset < 0) {
      return LibdwError(path, absl::StrFormat("unit at 0x%x (%s): ranges",
                                              unit.offset, unit.name));
    }
    const VariableWalk walk =
        !options.variables || file.relocatable ? VariableWalk::kNone
        : options.variable_walk               ? options.variable_walk(unit.name)
                                              : VariableWalk::kAll;
    if (walk != VariableWalk::kNone) {
      CollectVariables(&cudie, file.bias, walk == VariableWalk::kAll,
                       &unit.variables);
      std::sort(unit.variables.begin(), unit.variables.end());
    }
    if (options.license_records && !file.relocatable &&
        options.license_records(unit.name)) {
      CollectLicenseRecords(&cudie, &unit.license_records);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<DwarfUnits> CollectFile(const DwarfFile& file,
                                       DwarfUnitsOptions options = {}) {
  DwarfUnits result;
  result.relocatable = file.relocatable;
  if (absl::Status s = CollectUnits(file, options, &result.units); !s.ok()) {
    return s;
  }
  result.source_prefix = AssignObjectPaths(&result.units);
  return result;
}

}  // namespace

std::string AssignObjectPaths(std::vector<DwarfUnit>* units) {
  absl::flat_hash_set<std::string> top_dirs(std::begin(kKernelTopDirs),
                                            std::end(kKernelTopDirs));
  // Every directory a build-relative name lives in ("kernel",
  // "kernel/sched", ...).
  absl::flat_hash_set<std::string> seen_dirs;
  // Names that neither were build-relative nor lay under comp_dir.
  std::vector<std::pair<size_t, std::string>> pending;
  for (size_t i = 0; i < units->size(); ++i) {
    DwarfUnit& unit = (*units)[i];
    unit.path_unresolved = false;
    std::string name = NormalizePath(unit.name);
    if (unit.name.empty()) {
      unit.object_path.clear();
      unit.path_unresolved = true;
      continue;
    }
    if (!absl::StartsWith(name, "/")) {
      if (!absl::StartsWith(name, "../") && name != "..") {
        top_dirs.insert(std::string(FirstComponent(name)));
        for (size_t slash = name.find('/'); slash != std::string::npos;
             slash = name.find('/', slash + 1)) {
          seen_dirs.insert(name.substr(0, slash));
        }
        unit.object_path = ObjectFromSource(name);
        continue;
      }
      if (unit.comp_dir.empty()) {
        unit.object_path = ObjectFromSource(name);
        unit.path_unresolved = true;
        continue;
      }
      name = NormalizePath(absl::StrCat(unit.comp_dir, "/", unit.name));
    }
    std::string dir = NormalizePath(unit.comp_dir);
    if (!unit.comp_dir.empty() && dir != "/" &&
        absl::StartsWith(name, absl::StrCat(dir, "/"))) {
      unit.object_path = ObjectFromSource(name.substr(dir.size() + 1));
      continue;
    }
    pending.emplace_back(i, std::move(name));
  }
  if (pending.empty()) return "";

  // A name can be cut wherever a top-level directory starts. The cut whose
  // remainder runs longest through directories that build-relative names
  // use wins for that name ("/src/linux/" + "arch/x86/kernel/head_64.S" over
  // "/src/linux/arch/x86/" + "kernel/head_64.S"); the longer prefix on a tie.
  // The prefix most names chose is the source tree.
  absl::flat_hash_map<std::string, size_t> votes;
  for (const auto& [index, name] : pending) {
    std::string best_prefix;
    int best_depth = -1;
    for (size_t cut = 0; cut != std::string::npos && cut < name.size();) {
      absl::string_view rest = absl::string_view(name).substr(cut);
      if (rest.find('/') == absl::string_view::npos) break;  // a file name
      if (top_dirs.contains(FirstComponent(rest))) {
        int depth = 0;
        for (size_t slash = rest.find('/'); slash != absl::string_view::npos;
             slash = rest.find('/', slash + 1)) {
          if (!seen_dirs.contains(rest.substr(0, slash))) break;
          ++depth;
        }
        if (depth >= best_depth) {
          best_depth = depth;
          best_prefix = name.substr(0, cut);
        }
      }
      size_t slash = name.find('/', cut);
      cut = slash == std::string::npos ? slash : slash + 1;
    }
    if (best_depth >= 0) ++votes[best_prefix];
  }
  std::string prefix;
  size_t most = 0;
  for (const auto& [candidate, count] : votes) {
    if (count > most || (count == most && (candidate.size() > prefix.size() ||
                                           (candidate.size() == prefix.size() &&
                                            candidate < prefix)))) {
      prefix = candidate;
      most = count;
    }
  }
  for (auto& [index, name] : pending) {
    DwarfUnit& unit = (*units)[index];
    if (!prefix.empty() && absl::StartsWith(name, prefix)) {
      unit.object_path = ObjectFromSource(name.substr(prefix.size()));
    } else {
      unit.object_path = ObjectFromSource(name);
      unit.path_unresolved = true;
    }
  }
  return prefix;
}

absl::StatusOr<DwarfUnits> CollectDwarfUnits(const DwarfFile& file,
                                             DwarfUnitsOptions options) {
  return CollectFile(file, std::move(options));
}

absl::StatusOr<DwarfUnits> ParseDwarfUnits(absl::string_view bytes,
                                           absl::string_view path,
                                           DwarfUnitsOptions options) {
  absl::StatusOr<DwarfUnits> result;
  absl::Status status = WithDwarfBytes(bytes, path, [&](const DwarfFile& file) {
    result = CollectFile(file, options);
    return result.status();
  });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<DwarfUnits> ParseDwarfUnitsInPlace(absl::Span<char> bytes,
                                                  absl::string_view path) {
  absl::StatusOr<DwarfUnits> result;
  absl::Status status =
      WithDwarfEditableBytes(bytes, path, [&](const DwarfFile& file) {
        result = CollectFile(file);
        return result.status();
      });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<DwarfUnits> ReadDwarfUnitsFile(const std::string& path,
                                              const std::string& root,
                                              DwarfUnitsOptions options) {
  absl::StatusOr<DwarfUnits> result;
  absl::Status status = WithDwarfFile(
      path,
      [&](const DwarfFile& file) {
        result = CollectFile(file, options);
        return result.status();
      },
      root);
  if (!status.ok()) return status;
  return result;
}

}  // namespace ksym
