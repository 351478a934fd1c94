#include "symbolizer/builder/module_facts.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "symbolizer/builder/inferred_modules.h"
#include "symbolizer/names/qualified_name.h"
#include "symbolizer/sources/file_reader.h"

namespace ksym {
namespace {

template <typename T, typename Parse>
absl::Status ReadParsed(const std::string& root, const std::string& path,
                        Parse parse, std::optional<T>& out) {
  if (path.empty()) return absl::OkStatus();
  // A path under --root is opened in the root (files/root_fd.h).
  absl::StatusOr<std::string> text =
      ReadFileInRoot(root, path, kMaxInputBytes, {});
  if (!text.ok()) return text.status();
  absl::StatusOr<T> parsed = parse(*text, path);
  if (!parsed.ok()) return parsed.status();
  out = *std::move(parsed);
  return absl::OkStatus();
}

// The state the steps share: what has been placed, and by whom first.
struct Steps {
  ModuleFiles& files;
  const Catalog& catalog;
  BuildLog& log;
  ModuleFacts& out;
  FactSource primary = FactSource::kNone;
  bool inferred = false;  // step 3 ran: it reports the modules left over

  void Place(std::string object, std::vector<std::string> modules,
             FactSource source) {
    out.object_source[object] = source;
    out.facts.object_modules[std::move(object)] = std::move(modules);
  }
  void Primary(FactSource source) {
    if (primary == FactSource::kNone) primary = source;
  }
};

// 1. modules.builtin.objs lists every object of every built-in module.
void FromBuiltinObjs(Steps& s) {
  if (!s.files.objs) return;
  std::vector<std::pair<std::string, std::vector<std::string>>> pairs;
  pairs.reserve(s.files.objs->size());
  for (BuiltinModuleObjects& m : *s.files.objs) {
    pairs.emplace_back(std::move(m.module_object), std::move(m.objects));
  }
  auto& om = s.out.facts.object_modules;
  for (auto& [object, modules] : ObjectModulesFromBuiltinObjs(pairs)) {
    s.Place(object, std::move(modules), FactSource::kModulesBuiltinObjs);
  }
  s.Primary(FactSource::kModulesBuiltinObjs);
  s.log.Note(absl::StrCat("modules: ", s.files.objs_path, " (", pairs.size(),
                          " built-in modules, ", om.size(), " objects)"));
}

// 2. Every kbuild .cmd file names its object's module file; it is a
// built-in module exactly when modules.builtin lists kernel/MODFILE.ko.
void FromKbuildCmd(Steps& s) {
  if (!s.files.kbuild) return;
  if (!s.files.builtin) {
    s.log.Warn(absl::StrCat(
        "the .cmd files of ", s.files.build_dir,
        " name each object's module, but without modules.builtin they "
        "cannot tell built-in modules from the core kernel: left out"));
    return;
  }
  auto& om = s.out.facts.object_modules;
  size_t in_modules = 0, added = 0;
  for (const KbuildCmd& cmd : s.files.kbuild->objects) {
    if (om.contains(cmd.object)) continue;
    std::vector<std::string> modules;
    for (const std::string& modfile : cmd.modfiles) {
      if (s.files.builtin->contains(absl::StrCat("kernel/", modfile, ".ko"))) {
        modules.push_back(ModuleNameOfPath(modfile));
      }
    }
    std::sort(modules.begin(), modules.end());
    modules.erase(std::unique(modules.begin(), modules.end()), modules.end());
    in_modules += !modules.empty();
    ++added;
    s.Place(cmd.object, std::move(modules), FactSource::kKbuildCmd);
  }
  s.Primary(FactSource::kKbuildCmd);
  s.log.Note(absl::StrCat("modules: ", s.files.kbuild->cmd_files,
                          " kbuild .cmd files (", added, " objects, ",
                          in_modules, " of them in built-in modules)"));
}

// 3. The multi-object modules only modinfo names: inferred.
void FromInference(Steps& s) {
  if (!s.files.modinfo || s.files.objs || s.files.kbuild || s.files.ranges ||
      s.files.link_order.empty()) {
    return;
  }
  BuiltinInferenceInputs in;
  in.module_files = s.files.modinfo->module_files;
  in.known_objects = s.out.facts.object_modules;
  in.units = std::move(s.files.link_order);
  in.dyndbg = std::move(s.files.dyndbg);
  in.file_records = FileRecords(*s.files.modinfo);
  in.license_sites = std::move(s.files.license_sites);
  in.license_dirs = std::move(s.files.license_dirs);
  InferredModuleFacts inferred = InferModuleFacts(std::move(in), s.catalog);
  for (auto& [object, modules] : inferred.object_modules) {
    if (s.out.facts.object_modules.contains(object)) continue;
    s.Place(object, std::move(modules), FactSource::kInferred);
  }
  s.out.inferred_rules = std::move(inferred.rules);
  for (std::string& n : inferred.notes) s.log.Note(std::move(n));
  for (std::string& w : inferred.warnings) s.log.Warn(std::move(w));
  s.inferred = true;
}

// 4. Single-object modules: the module file `fs/binfmt_elf` is the object
// fs/binfmt_elf.o when the kernel has such an object. The modules no step
// describes and that are no such object are reported.
void FromSingleObjectModules(Steps& s) {
  std::vector<std::pair<std::string, std::string>> module_files;
  if (s.files.modinfo) {
    module_files = s.files.modinfo->module_files;
  } else if (s.files.builtin) {
    for (const std::string& path : *s.files.builtin) {
      absl::string_view file = path;
      absl::ConsumePrefix(&file, "kernel/");
      absl::ConsumeSuffix(&file, ".ko");
      module_files.emplace_back(ModuleNameOfPath(path), std::string(file));
    }
    std::sort(module_files.begin(), module_files.end());
  }
  if (module_files.empty()) return;
  auto& om = s.out.facts.object_modules;
  const FactSource source = s.files.modinfo
                                ? FactSource::kModulesBuiltinModinfo
                                : FactSource::kModulesBuiltinObjs;
  absl::flat_hash_set<absl::string_view> known_objects;
  for (const ObjectFile& o : s.catalog.objects) known_objects.insert(o.path);
  absl::flat_hash_set<std::string> described;
  for (const auto& [object, modules] : om) {
    described.insert(modules.begin(), modules.end());
  }
  if (s.files.ranges) {
    for (const BuiltinRange& r : *s.files.ranges) {
      described.insert(r.modules.begin(), r.modules.end());
    }
  }
  size_t single = 0;
  std::vector<std::string> composite;
  for (const auto& [module, file] : module_files) {
    std::string object = absl::StrCat(file, ".o");
    if (om.contains(object) || described.contains(module)) continue;
    if (known_objects.contains(object)) {
      s.Place(std::move(object), {module}, source);
      ++single;
    } else {
      composite.push_back(module);
    }
  }
  if (single > 0) {
    s.Primary(source);
    s.log.Note(absl::StrCat(
        "modules: ", single, " single-object built-in modules from ",
        s.files.modinfo ? s.files.modinfo_path : s.files.builtin_path));
  }
  if (!composite.empty() && !s.inferred) {
    std::sort(composite.begin(), composite.end());
    composite.erase(std::unique(composite.begin(), composite.end()),
                    composite.end());
    std::vector<std::string> shown(
        composite.begin(),
        composite.begin() + std::min(composite.size(), kMaxExamples));
    s.log.Warn(absl::StrCat(
        composite.size(),
        " built-in modules are not one object of this kernel and no "
        "modules.builtin.objs, .cmd file or modules.builtin.ranges says "
        "which objects they consist of; their symbols get no [module] (",
        Examples(shown, composite.size()), ")"));
  }
}

// 5. modules.builtin.ranges: offsets from an anchor symbol per section,
// made absolute with the anchor's address in the catalog.
void FromRanges(Steps& s) {
  if (!s.files.ranges) return;
  const std::vector<BuiltinRange>& ranges = *s.files.ranges;
  absl::flat_hash_map<std::string, std::optional<uint64_t>> anchors;
  for (const BuiltinRange& r : ranges) {
    if (!r.anchor.empty()) anchors.emplace(r.anchor, std::nullopt);
  }
  for (const Symbol& sym : s.catalog.symbols) {
    if (sym.module_set != kNoModules) continue;
    auto it = anchors.find(sym.name);
    if (it != anchors.end() && !it->second) it->second = sym.address;
  }
  size_t used = 0;
  std::vector<std::string> missing;
  for (const BuiltinRange& r : ranges) {
    auto it = anchors.find(r.anchor);
    if (r.anchor.empty() || !it->second) {
      std::string what =
          r.anchor.empty() ? absl::StrCat(r.section, " (no anchor)") : r.anchor;
      if (std::find(missing.begin(), missing.end(), what) == missing.end()) {
        missing.push_back(what);
      }
      continue;
    }
    uint64_t base = *it->second - r.anchor_offset;
    s.out.facts.module_ranges.push_back(
        {base + r.start, base + r.end, r.modules});
    ++used;
  }
  s.log.Note(
      absl::StrCat("modules: ", s.files.ranges_path, " (", used, " ranges)"));
  if (!missing.empty()) {
    s.log.Warn(absl::StrCat(s.files.ranges_path, ": ranges of ",
                            absl::StrJoin(missing, ", "),
                            " left out: the anchor symbol is not in the index"));
  }
}

}  // namespace

absl::StatusOr<ModuleFiles> ReadModuleFiles(const ResolvedInputs& in,
                                            BuildLog& log) {
  ModuleFiles f;
  f.builtin_path = in.modules_builtin;
  f.modinfo_path = in.modules_builtin_modinfo;
  f.objs_path = in.modules_builtin_objs;
  f.ranges_path = in.modules_builtin_ranges;
  f.build_dir = in.build_dir;
  std::optional<std::vector<std::string>> builtin;
  if (absl::Status s =
          ReadParsed(in.root, f.builtin_path, ParseModulesBuiltin, builtin);
      !s.ok()) {
    return s;
  }
  if (builtin) f.builtin.emplace(builtin->begin(), builtin->end());
  if (absl::Status s =
          ReadParsed(in.root, f.modinfo_path, ParseModulesBuiltinModinfo,
                     f.modinfo);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          ReadParsed(in.root, f.objs_path, ParseModulesBuiltinObjs, f.objs);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          ReadParsed(in.root, f.ranges_path, ParseModulesBuiltinRanges,
                     f.ranges);
      !s.ok()) {
    return s;
  }
  if (!in.build_dir.empty()) {
    log.Progress(absl::StrCat("reading kbuild .cmd files under ", in.build_dir));
    absl::StatusOr<KbuildTree> tree = ScanKbuildTree(in.build_dir);
    if (!tree.ok()) return tree.status();
    if (tree->malformed > 0) {
      log.Warn(absl::StrCat(tree->malformed, " of ", tree->cmd_files,
                            " .o.cmd files are not kbuild commands and were "
                            "skipped (first: ",
                            tree->first_error, ")"));
    }
    if (tree->cmd_files > 0) f.kbuild = *std::move(tree);
  }
  return f;
}

ModuleFacts BuiltinModuleFacts(ModuleFiles files, const Catalog& catalog,
                               BuildLog& log) {
  ModuleFacts out;
  Steps steps{files, catalog, log, out};
  FromBuiltinObjs(steps);
  FromKbuildCmd(steps);
  FromInference(steps);
  FromSingleObjectModules(steps);
  FromRanges(steps);
  out.facts.object_modules_source = steps.primary == FactSource::kNone
                                        ? FactSource::kModulesBuiltinObjs
                                        : steps.primary;
  return out;
}

void CountModuleSources(const ModuleFacts& facts, const Catalog& c,
                        AttributionStats& stats) {
  if (facts.object_source.empty()) return;
  size_t& primary = stats.module_from[static_cast<size_t>(
      facts.facts.object_modules_source)];
  std::vector<int> object_source(c.objects.size(), -1);
  for (uint32_t i = 0; i < c.objects.size(); ++i) {
    auto it = facts.object_source.find(c.objects[i].path);
    if (it != facts.object_source.end()) {
      object_source[i] = static_cast<int>(it->second);
    }
  }
  for (const Symbol& s : c.symbols) {
    if (s.module_set == kNoModules || s.object == kNoObject ||
        object_source[s.object] < 0 ||
        c.loadable_module_sets.contains(s.module_set)) {
      continue;
    }
    --primary;
    ++stats.module_from[object_source[s.object]];
  }
}

}  // namespace ksym
