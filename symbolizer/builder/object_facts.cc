#include "symbolizer/builder/object_facts.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "symbolizer/builder/paths.h"
#include "symbolizer/sources/elf/dwarf_units.h"
#include "symbolizer/sources/linkmap/linker_map.h"

namespace ksym {
namespace {

absl::Status LinkerMapRanges(const ResolvedInputs& in, uint64_t shift,
                             std::vector<ObjectRange>& ranges, BuildLog& log) {
  const std::string& path = in.linker_map;
  log.Progress(absl::StrCat("reading ", path));
  absl::StatusOr<LinkerMap> map = ReadLinkerMapFile(path);
  if (!map.ok()) return map.status();
  bool names_vmlinux_o = false;
  for (const MapInputSection& s : map->sections) {
    if (s.object == "vmlinux.o") {
      names_vmlinux_o = true;
      break;
    }
  }
  if (names_vmlinux_o) {
    absl::string_view dir = path;
    size_t slash = dir.rfind('/');
    dir = slash == absl::string_view::npos ? "" : dir.substr(0, slash);
    std::string o_map = JoinPath(dir, "vmlinux.o.map");
    if (IsRegularFile(o_map)) {
      absl::StatusOr<LinkerMap> r = ReadLinkerMapFile(o_map);
      if (!r.ok()) return r.status();
      *map = ExpandRelocatableObject(*map, "vmlinux.o", *r);
      log.Note(absl::StrCat("vmlinux.o sections expanded through ", o_map));
    } else {
      log.Warn(absl::StrCat(path,
                            " links vmlinux.o as a whole (CONFIG_X86_KERNEL_IBT "
                            "or LTO) and ",
                            o_map,
                            " is missing: its symbols get object vmlinux.o"));
    }
  }
  if (const std::vector<SectionOverlap> overlaps = OverlappingSections(*map);
      !overlaps.empty()) {
    std::vector<std::string> examples;
    for (const SectionOverlap& o : overlaps) {
      if (examples.size() == kMaxExamples) break;
      auto show = [](const MapInputSection* s) {
        return absl::StrCat(s->input_section, " of ", s->object, " [0x",
                            absl::Hex(s->address), ", 0x",
                            absl::Hex(s->address + s->size), ")");
      };
      examples.push_back(
          absl::StrCat(show(o.second), " overlaps ", show(o.first)));
    }
    log.Warn(absl::StrCat(
        path, ": ", overlaps.size(),
        " input sections overlap another object's; a symbol in the shared "
        "bytes gets the object of the smaller section: ",
        Examples(examples, overlaps.size())));
  }
  absl::string_view prefix = in.build_dir;
  std::string build_prefix =
      prefix.empty() ? "" : absl::StrCat(absl::StripSuffix(prefix, "/"), "/");
  absl::flat_hash_set<absl::string_view> objects;
  for (ObjectRangeLite& r : ObjectRanges(*map)) {
    ObjectRange range;
    range.begin = r.begin + shift;
    range.end = r.end + shift;
    absl::string_view object = r.object;
    if (!build_prefix.empty()) absl::ConsumePrefix(&object, build_prefix);
    range.object_path = std::string(object);
    range.source = FactSource::kLinkerMap;
    ranges.push_back(std::move(range));
  }
  for (const ObjectRange& r : ranges) objects.insert(r.object_path);
  log.Note(absl::StrCat("objects: ", path, " (", objects.size(), " objects, ",
                        ranges.size(), " ranges)"));
  return absl::OkStatus();
}

// `vmlinux` under `root` (--root) is opened in the root.
absl::Status DwarfRanges(const std::string& root, const std::string& vmlinux,
                         uint64_t shift, std::vector<ObjectRange>& ranges,
                         BuildLog& log) {
  log.Progress(absl::StrCat("reading DWARF compile units of ", vmlinux));
  absl::StatusOr<DwarfUnits> units = ReadDwarfUnitsFile(vmlinux, root);
  if (!units.ok()) {
    if (absl::IsFailedPrecondition(units.status())) {
      log.Warn(absl::StrCat(units.status().message(),
                            "; without a linker map, symbols get no object"));
      return absl::OkStatus();
    }
    return units.status();
  }
  size_t unresolved = 0;
  std::vector<std::string> unresolved_examples;
  size_t headers = 0;
  std::vector<std::string> header_examples;
  for (const DwarfUnit& u : units->units) {
    if (u.ranges.empty()) continue;
    // An assembler file's unit can be named for a header it includes
    // (arch/x86/include/asm/GEN-for-each-reg.h for retpoline.S): no object
    // of the build has that name, so its code gets none.
    if (absl::EndsWith(u.name, ".h")) {
      if (++headers <= kMaxExamples) header_examples.push_back(u.name);
      continue;
    }
    if (u.path_unresolved && ++unresolved <= kMaxExamples) {
      unresolved_examples.push_back(u.name);
    }
    for (const auto& [begin, end] : u.ranges) {
      ranges.push_back(
          {begin + shift, end + shift, u.object_path, FactSource::kDwarf});
    }
  }
  log.Note(absl::StrCat("objects: DWARF of ", vmlinux, " (",
                        units->units.size(), " compile units, ", ranges.size(),
                        " ranges)"));
  if (headers > 0) {
    log.Warn(absl::StrCat(headers,
                          " compile units are named for a header, not a "
                          "source file of the build; their code gets no "
                          "object (",
                          Examples(header_examples, headers), ")"));
  }
  if (unresolved > 0) {
    log.Warn(absl::StrCat(unresolved,
                          " compile units have names outside the build tree; "
                          "their object paths are guesses from the name (",
                          Examples(unresolved_examples, unresolved), ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<ObjectRange>> ReadObjectRanges(
    const ResolvedInputs& inputs, std::optional<int64_t> shift,
    BuildLog& log) {
  std::vector<ObjectRange> ranges;
  if (!shift) {
    if (!inputs.linker_map.empty() || !inputs.vmlinux.empty()) {
      log.Warn(
          "the linker map and DWARF speak static addresses, and kallsyms "
          "alone gives no KASLR offset: objects left out (add --system-map "
          "or --vmlinux)");
    }
    return ranges;
  }
  const uint64_t s = static_cast<uint64_t>(*shift);
  if (!inputs.linker_map.empty()) {
    if (absl::Status st = LinkerMapRanges(inputs, s, ranges, log); !st.ok()) {
      return st;
    }
  } else if (!inputs.vmlinux.empty()) {
    if (absl::Status st = DwarfRanges(inputs.root, inputs.vmlinux, s, ranges, log);
        !st.ok()) {
      return st;
    }
  }
  return ranges;
}

size_t CoverFunctionEntries(const Catalog& catalog,
                            std::vector<ObjectRange>& ranges) {
  // Ranges by begin, with the highest end of those at or before each.
  std::vector<uint32_t> by_begin(ranges.size());
  for (uint32_t i = 0; i < ranges.size(); ++i) by_begin[i] = i;
  std::sort(by_begin.begin(), by_begin.end(), [&](uint32_t a, uint32_t b) {
    return ranges[a].begin < ranges[b].begin;
  });
  std::vector<uint64_t> max_end(by_begin.size());
  uint64_t m = 0;
  for (size_t k = 0; k < by_begin.size(); ++k) {
    m = std::max(m, ranges[by_begin[k]].end);
    max_end[k] = m;
  }
  // The lowest function start found for each range.
  absl::flat_hash_map<uint32_t, uint64_t> new_begin;
  for (const Symbol& s : catalog.symbols) {
    if (!IsTextType(s.type) || !s.size_exact) continue;
    // The first range starting after s.address.
    auto it = std::upper_bound(
        by_begin.begin(), by_begin.end(), s.address,
        [&](uint64_t a, uint32_t r) { return a < ranges[r].begin; });
    if (it == by_begin.end()) continue;
    const size_t k = static_cast<size_t>(it - by_begin.begin());
    if (k > 0 && max_end[k - 1] > s.address) continue;  // covered
    const ObjectRange& r = ranges[*it];
    if (r.source != FactSource::kDwarf || r.begin - s.address > kMaxEntryPrefix ||
        r.begin - s.address >= s.size) {
      continue;
    }
    auto [at, inserted] = new_begin.try_emplace(*it, s.address);
    if (!inserted) at->second = std::min(at->second, s.address);
  }
  for (const auto& [r, begin] : new_begin) ranges[r].begin = begin;
  return new_begin.size();
}

void CrossCheckFileGroups(const std::vector<int32_t>& file_group,
                          const std::vector<std::string>& files, Catalog& c,
                          AttributionStats& stats, BuildLog& log) {
  if (file_group.empty()) return;
  constexpr uint32_t kNone = kNoObject;
  constexpr uint32_t kConflict = kNoObject - 1;
  std::vector<uint32_t> group_object(files.size(), kNone);
  size_t agree = 0, disagree = 0;
  std::vector<std::string> examples;
  // Groups with a local function no range covers: their object has no
  // ranges, so another object of the same stem must not stand in for it.
  std::vector<bool> uncovered_text(files.size(), false);
  std::vector<size_t> boundary_labels;
  for (size_t i = 0; i < c.symbols.size() && i < file_group.size(); ++i) {
    int32_t g = file_group[i];
    const Symbol& s = c.symbols[i];
    // Padding symbols follow their function (PaddingFollowsItsFunction),
    // not their STT_FILE group.
    if (g < 0 || IsPaddingSymbol(s.name)) continue;
    if (s.object == kNoObject) {
      if (IsTextType(s.type)) uncovered_text[g] = true;
      continue;
    }
    if (StFileStem(files[g]) != Stem(c.objects[s.object].path)) {
      if (!s.size_exact) {
        // A label (ELF size 0) at an object's end (arm64's
        // __trans_pgd_stub_vectors_end) is also the next object's start,
        // where the ranges put it: its group decides below.
        boundary_labels.push_back(i);
        continue;
      }
      if (++disagree <= kMaxExamples) {
        examples.push_back(absl::StrCat(s.name, " (", files[g], ") in ",
                                        c.objects[s.object].path));
      }
      group_object[g] = kConflict;
      continue;
    }
    ++agree;
    uint32_t& o = group_object[g];
    if (o == kNone) {
      o = s.object;
    } else if (o != s.object) {
      o = kConflict;
    }
  }
  // A group without such evidence (an object whose functions are all
  // global) still names one object when its stem is unique on both sides:
  // one STT_FILE group and one known object called `string`.
  absl::flat_hash_map<absl::string_view, uint32_t> groups_with_stem;
  for (const std::string& f : files) ++groups_with_stem[StFileStem(f)];
  absl::flat_hash_map<absl::string_view, uint32_t> object_with_stem;
  for (uint32_t o = 0; o < c.objects.size(); ++o) {
    auto [it, inserted] = object_with_stem.emplace(Stem(c.objects[o].path), o);
    if (!inserted) it->second = kConflict;
  }
  for (size_t g = 0; g < files.size(); ++g) {
    if (group_object[g] != kNone || uncovered_text[g]) continue;
    absl::string_view stem = StFileStem(files[g]);
    auto it = object_with_stem.find(stem);
    if (groups_with_stem[stem] == 1 && it != object_with_stem.end()) {
      group_object[g] = it->second;
    }
  }
  // A label whose group agreed on one object takes it; else it
  // disagrees like any other symbol.
  size_t moved = 0;
  for (size_t i : boundary_labels) {
    Symbol& s = c.symbols[i];
    const uint32_t o = group_object[file_group[i]];
    if (o != kNone && o != kConflict) {
      s.object = o;
      ++moved;
      continue;
    }
    if (++disagree <= kMaxExamples) {
      examples.push_back(absl::StrCat(s.name, " (", files[file_group[i]],
                                      ") in ", c.objects[s.object].path));
    }
  }
  size_t filled = 0;
  for (size_t i = 0; i < c.symbols.size() && i < file_group.size(); ++i) {
    int32_t g = file_group[i];
    Symbol& s = c.symbols[i];
    if (g < 0 || s.object != kNoObject || IsPaddingSymbol(s.name)) continue;
    uint32_t o = group_object[g];
    if (o == kNone || o == kConflict) continue;
    s.object = o;
    ++filled;
  }
  stats.object_from[static_cast<size_t>(FactSource::kStFile)] += filled;
  if (agree + disagree > 0) {
    log.Note(absl::StrCat(
        "STT_FILE agrees with the object of ", agree, " local symbols",
        filled > 0 ? absl::StrCat("; gave ", filled,
                                  " more local symbols their group's object")
                   : ""));
  }
  if (moved > 0) {
    log.Note(absl::StrCat(
        moved, " local labels (no ELF size) at an object's boundary took the "
        "object of their STT_FILE group, not the next object's"));
  }
  if (disagree > 0) {
    log.Warn(absl::StrCat("STT_FILE disagrees with the object of ", disagree,
                          " local symbols: ", Examples(examples, disagree)));
  }
}

size_t PlaceDataByDwarfVariables(const ResolvedInputs& in,
                                 std::optional<int64_t> shift,
                                 const std::vector<int32_t>& file_group,
                                 const std::vector<std::string>& files,
                                 Catalog& c, AttributionStats& stats,
                                 BuildLog& log) {
  if (!shift || in.vmlinux.empty() || !in.linker_map.empty()) return 0;
  absl::flat_hash_map<absl::string_view, uint32_t> data_names;
  for (const Symbol& s : c.symbols) {
    if (NameKindOf(s.type) == NameKind::kData) ++data_names[s.name];
  }
  std::vector<size_t> unplaced;
  for (size_t i = 0; i < c.symbols.size(); ++i) {
    const Symbol& s = c.symbols[i];
    if (s.object == kNoObject && NameKindOf(s.type) == NameKind::kData &&
        data_names[s.name] > 1) {
      unplaced.push_back(i);
    }
  }
  if (unplaced.empty()) return 0;
  // The units worth walking whole: those named like the symbols' STT_FILE
  // groups. A symbol without a group is global (a global and a static of
  // one name: acpi_gpe_count), defined at some unit's file scope.
  absl::flat_hash_set<std::string> stems;
  bool globals = false;
  for (size_t i : unplaced) {
    const int32_t g = i < file_group.size() ? file_group[i] : -1;
    if (g < 0 || static_cast<size_t>(g) >= files.size()) {
      globals = true;
    } else {
      stems.insert(std::string(StFileStem(files[g])));
    }
  }
  DwarfUnitsOptions options;
  options.variables = true;
  options.variable_walk = [&stems, globals](absl::string_view name) {
    if (stems.contains(Stem(name))) return VariableWalk::kAll;
    return globals ? VariableWalk::kFileScope : VariableWalk::kNone;
  };
  log.Progress(absl::StrCat("reading DWARF variables of ", in.vmlinux));
  absl::StatusOr<DwarfUnits> units =
      ReadDwarfUnitsFile(in.vmlinux, in.root, options);
  if (!units.ok()) return 0;  // ReadObjectRanges said why
  // Variable address (catalog address) -> unit, or kClaimedTwice.
  constexpr size_t kClaimedTwice = ~size_t{0};
  absl::flat_hash_map<uint64_t, size_t> unit_at;
  const uint64_t s = static_cast<uint64_t>(*shift);
  for (size_t u = 0; u < units->units.size(); ++u) {
    const DwarfUnit& unit = units->units[u];
    if (unit.object_path.empty() || absl::EndsWith(unit.name, ".h")) continue;
    for (uint64_t v : unit.variables) {
      auto [it, inserted] = unit_at.try_emplace(v + s, u);
      if (!inserted && it->second != u &&
          (it->second == kClaimedTwice ||
           units->units[it->second].object_path != unit.object_path)) {
        it->second = kClaimedTwice;
      }
    }
  }
  size_t placed = 0;
  for (size_t i : unplaced) {
    Symbol& sym = c.symbols[i];
    auto it = unit_at.find(sym.address);
    if (it == unit_at.end() || it->second == kClaimedTwice) continue;
    sym.object = c.InternObject(units->units[it->second].object_path);
    ++placed;
  }
  stats.object_from[static_cast<size_t>(FactSource::kDwarf)] += placed;
  log.Note(absl::StrCat(
      "objects: ", placed, " of ", unplaced.size(),
      " data symbols of repeated names that no range or STT_FILE group "
      "placed took the object of the DWARF unit defining a variable there"));
  return placed;
}

}  // namespace ksym
