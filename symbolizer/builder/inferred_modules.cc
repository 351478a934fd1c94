#include "symbolizer/builder/inferred_modules.h"

#include <algorithm>
#include <array>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "symbolizer/sources/elf/dwarf_units.h"

namespace ksym {
namespace {
constexpr size_t kMaxExamples = 5;
}  // namespace

InferredModuleFacts InferModuleFacts(BuiltinInferenceInputs in,
                                     const Catalog& catalog) {
  InferredModuleFacts out;
  for (const Symbol& s : catalog.symbols) {
    if (IsTextType(s.type) || absl::StartsWith(s.name, "__initcall__kmod_")) {
      in.symbols.push_back({s.name, s.address});
    }
  }
  BuiltinInference r = InferBuiltinModules(in);
  if (r.composite_modules == 0) return out;
  std::array<size_t, kInferenceRuleCount> by_rule{};
  absl::flat_hash_map<std::string, bool> modules;
  for (InferredObject& o : r.objects) {
    ++by_rule[static_cast<size_t>(o.rule)];
    modules[o.module] = true;
    out.rules[o.object_path] = o.rule;
    out.object_modules[o.object_path] = {std::move(o.module)};
  }
  std::vector<std::string> counts;
  for (size_t k = 1; k < kInferenceRuleCount; ++k) {
    if (by_rule[k] == 0) continue;
    counts.push_back(absl::StrCat(
        InferenceRuleName(static_cast<InferenceRule>(k)), " ", by_rule[k]));
  }
  out.notes.push_back(absl::StrCat(
      "modules: inferred ", r.objects.size(), " objects of ", modules.size(),
      " of ", r.composite_modules,
      " multi-object built-in modules from modinfo, link order and "
      "KBUILD_MODNAME evidence (",
      counts.empty() ? "none" : absl::StrJoin(counts, ", "),
      "); marked as inferred in the index"));
  if (!r.modules_without_objects.empty()) {
    out.warnings.push_back(absl::StrCat(
        r.modules_without_objects.size(),
        " multi-object built-in modules have no object the inference could "
        "name; their symbols get no [module]: ",
        absl::StrJoin(r.modules_without_objects, ", ")));
  }
  if (!r.unpaired_license_dirs.empty()) {
    std::vector<std::string> shown(
        r.unpaired_license_dirs.begin(),
        r.unpaired_license_dirs.begin() +
            std::min(r.unpaired_license_dirs.size(), kMaxExamples));
    out.notes.push_back(absl::StrCat(
        "modules: in ", r.unpaired_license_dirs.size(),
        " directories the modinfo file records and the DWARF license "
        "variables do not pair up, so they name no object there: ",
        absl::StrJoin(shown, "; "),
        r.unpaired_license_dirs.size() > shown.size() ? "; ..." : ""));
  }
  if (!r.conflicts.empty()) {
    std::vector<std::string> shown(
        r.conflicts.begin(),
        r.conflicts.begin() + std::min(r.conflicts.size(), kMaxExamples));
    out.warnings.push_back(absl::StrCat(
        r.conflicts.size(),
        " objects get no inferred module because the evidence conflicts: ",
        absl::StrJoin(shown, "; "),
        r.conflicts.size() > shown.size() ? "; ..." : ""));
  }
  return out;
}

std::vector<ModinfoFileRecord> FileRecords(const BuiltinModinfo& modinfo) {
  std::vector<ModinfoFileRecord> records;
  for (const ModinfoRecord& r : modinfo.records) {
    if (r.key != "file") continue;
    // "MODULE.file=VALUE\0"
    const size_t size = r.module.size() + 1 + r.key.size() + 1 +
                        r.value.size() + 1;
    records.push_back({r.module, r.value, static_cast<uint32_t>(size)});
  }
  return records;
}

absl::StatusOr<std::vector<LicenseSite>> ReadLicenseSites(
    const std::string& root, const std::string& vmlinux,
    const std::vector<std::string>& dirs) {
  std::vector<LicenseSite> sites;
  if (dirs.empty()) return sites;
  // DW_AT_name is build-relative ("crypto/api.c") or, in an O= build,
  // absolute ("/src/linux/crypto/api.c"): a unit is read when a directory
  // begins its name or a component of it. Reading more is only slower.
  DwarfUnitsOptions options;
  options.license_records = [&dirs](absl::string_view name) {
    for (const std::string& d : dirs) {
      if (absl::StartsWith(name, d) && name.size() > d.size() &&
          name[d.size()] == '/') {
        return true;
      }
      if (absl::StrContains(name, absl::StrCat("/", d, "/"))) return true;
    }
    return false;
  };
  absl::StatusOr<DwarfUnits> units = ReadDwarfUnitsFile(vmlinux, root, options);
  if (!units.ok()) return units.status();
  // A unit without code has only its place in link order: after the
  // nearest unit with code.
  std::string after;
  for (DwarfUnit& u : units->units) {
    const bool code = !u.ranges.empty();
    if (!u.license_records.empty() && !u.object_path.empty()) {
      LicenseSite site{u.object_path, std::move(u.license_records), {}};
      if (!code) site.after_object = after;
      sites.push_back(std::move(site));
    }
    if (code && !u.object_path.empty()) after = u.object_path;
  }
  return sites;
}

std::vector<LinkedUnit> LinkedUnitsInOrder(
    const std::vector<ObjectRange>& ranges) {
  std::vector<LinkedUnit> units;
  absl::flat_hash_map<absl::string_view, size_t> unit_of;
  for (const ObjectRange& r : ranges) {
    auto [it, inserted] = unit_of.try_emplace(r.object_path, units.size());
    if (inserted) units.push_back({r.object_path, {}});
    units[it->second].ranges.emplace_back(r.begin, r.end);
  }
  return units;
}

void MarkInferredObjects(
    const absl::flat_hash_map<std::string, InferenceRule>& rules,
    Catalog& catalog) {
  if (rules.empty()) return;
  for (ObjectFile& o : catalog.objects) {
    auto it = rules.find(o.path);
    o.module_rule = it == rules.end() ? 0 : static_cast<uint8_t>(it->second);
  }
}

}  // namespace ksym
