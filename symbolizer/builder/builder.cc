#include "symbolizer/builder/builder.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "symbolizer/builder/debug_fetch.h"
#include "symbolizer/builder/kaslr.h"
#include "symbolizer/builder/inferred_modules.h"
#include "symbolizer/builder/kernel_identity.h"
#include "symbolizer/builder/loadable_modules.h"
#include "symbolizer/builder/module_facts.h"
#include "symbolizer/builder/object_facts.h"
#include "symbolizer/builder/source_lines.h"
#include "symbolizer/builder/static_symbols.h"
#include "symbolizer/builder/vmlinux_facts.h"

// `lhs = *expr`, or return expr's error: keeps BuildCatalog readable as the
// data flow it is.
#define KSYM_CONCAT_INNER(a, b) a##b
#define KSYM_CONCAT(a, b) KSYM_CONCAT_INNER(a, b)
#define KSYM_ASSIGN_OR_RETURN(lhs, expr)                 \
  auto KSYM_CONCAT(status_or_, __LINE__) = (expr);       \
  if (!KSYM_CONCAT(status_or_, __LINE__).ok()) {         \
    return KSYM_CONCAT(status_or_, __LINE__).status();   \
  }                                                      \
  lhs = *std::move(KSYM_CONCAT(status_or_, __LINE__))

namespace ksym {
namespace {

std::vector<Symbol> SymbolsFromEntries(std::vector<KallsymsEntry> entries) {
  std::vector<Symbol> out;
  out.reserve(entries.size());
  for (KallsymsEntry& e : entries) {
    Symbol s;
    s.address = e.address;
    s.type = e.type;
    s.name = std::move(e.name);
    out.push_back(std::move(s));
  }
  return out;
}

// Drops exact (address, name) repeats, keeping the first; sources can list
// a symbol twice (e.g. kallsyms and System.map both present).
size_t DropRepeats(Catalog& catalog, std::vector<std::string>& examples) {
  auto& v = catalog.symbols;
  const size_t before = v.size();
  v.erase(std::unique(v.begin(), v.end(),
                      [&](const Symbol& a, const Symbol& b) {
                        const bool same =
                            a.address == b.address && a.name == b.name;
                        if (same && examples.size() < kMaxExamples) {
                          examples.push_back(absl::StrCat(
                              std::string(1, a.type), " ", a.name, " at 0x",
                              absl::Hex(a.address)));
                        }
                        return same;
                      }),
          v.end());
  return before - v.size();
}

// Recomputes the coverage counts over the final catalog (loadable-module
// symbols are added after attribution).
void Recount(const Catalog& catalog, AttributionStats& stats) {
  AttributionStats fresh;
  for (const Symbol& s : catalog.symbols) {
    bool text = IsTextType(s.type);
    bool object = s.object != kNoObject;
    bool module = s.module_set != kNoModules;
    ++fresh.symbols;
    fresh.text_symbols += text;
    fresh.with_object += object;
    fresh.text_with_object += text && object;
    fresh.with_module += module;
    fresh.text_with_module += text && module;
    if (module && catalog.loadable_module_sets.contains(s.module_set)) {
      ++fresh.module_from[static_cast<size_t>(FactSource::kLoadableModule)];
    }
  }
  stats.symbols = fresh.symbols;
  stats.text_symbols = fresh.text_symbols;
  stats.with_object = fresh.with_object;
  stats.text_with_object = fresh.text_with_object;
  stats.with_module = fresh.with_module;
  stats.text_with_module = fresh.text_with_module;
  stats.module_from[static_cast<size_t>(FactSource::kLoadableModule)] =
      fresh.module_from[static_cast<size_t>(FactSource::kLoadableModule)];
}

// Sizes, repeats, disambiguation, coverage: the end of every build.
void Finish(BuildOutput& out, BuildLog& log) {
  Catalog& c = out.catalog;
  log.Progress("sorting");
  c.FinalizeSizes();
  std::vector<std::string> examples;
  if (size_t repeats = DropRepeats(c, examples); repeats > 0) {
    // System.map lists some symbols twice (`b __key.N`): one each is kept.
    log.Note(absl::StrCat(repeats,
                          " symbols were listed twice with the same name and "
                          "address and are indexed once (",
                          Examples(examples, repeats), ")"));
  }
  log.Progress("disambiguating");
  out.report = Disambiguate(c);
  Recount(c, out.attribution);
  out.notes = std::move(log.notes);
  out.warnings = std::move(log.warnings);
}

// KBUILD_MODNAME evidence for the built-in module inference: the
// dynamic-debug descriptors (__UNIQUE_ID_ddebugN) of the vmlinux, whose
// symbols are still at their link-time addresses here.
std::vector<DyndbgSite> ReadDyndbgSites(const std::string& root,
                                        const std::string& vmlinux,
                                        const Catalog& c, BuildLog& log) {
  std::vector<uint64_t> addresses;
  for (const Symbol& s : c.symbols) {
    if (absl::StartsWith(s.name, "__UNIQUE_ID_ddebug")) {
      addresses.push_back(s.address);
    }
  }
  std::vector<DyndbgSite> sites;
  if (addresses.empty()) return sites;
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> d =
      ReadDyndbgDescriptors(vmlinux, addresses, root);
  if (!d.ok()) {
    log.Warn(absl::StrCat("dynamic-debug descriptors not read: ",
                          d.status().message()));
    return sites;
  }
  for (auto& [modname, filename] : *d) {
    sites.push_back({std::move(modname), std::move(filename)});
  }
  return sites;
}

// License evidence for the inference (builtin_inference.h rule 3): read
// only when the inference will run (modinfo and nothing exact).
void ReadLicenseEvidence(const ResolvedInputs& in, ModuleFiles& files,
                         BuildLog& log) {
  if (!files.modinfo || files.objs || files.kbuild || files.ranges ||
      files.link_order.empty()) {
    return;
  }
  std::vector<std::string> dirs =
      LicenseDirectories(files.modinfo->module_files, files.link_order);
  log.Progress(absl::StrCat("reading license variables of ", in.vmlinux));
  absl::StatusOr<std::vector<LicenseSite>> sites =
      ReadLicenseSites(in.root, in.vmlinux, dirs);
  if (!sites.ok()) {
    log.Warn(absl::StrCat("license variables not read: ",
                          sites.status().message()));
    return;
  }
  files.license_sites = *std::move(sites);
  files.license_dirs = std::move(dirs);
}

// Marks the found source `what` rejected, saying why.
void RejectSource(absl::string_view what, std::string why,
                  std::vector<InputSource>& sources) {
  for (InputSource& s : sources) {
    if (s.what == what && s.state == SourceState::kFound) {
      s.state = SourceState::kRejected;
      s.why = std::move(why);
      return;
    }
  }
}

}  // namespace

absl::StatusOr<BuildOutput> BuildCatalog(const BuildInputs& given,
                                         const ProgressFn& progress) {
  BuildLog log(progress);
  BuildOutput out;
  Catalog& c = out.catalog;

  // Inputs: the static side (link-time), the runtime side (kallsyms).
  std::unique_ptr<DebugFileFetcher> debuginfod;
  DebugFileFetcher* fetcher = given.debug_fetcher;
  if (fetcher == nullptr) {
    absl::StatusOr<std::unique_ptr<DebugFileFetcher>> env =
        DebuginfodFromEnvironment();
    if (env.ok()) {
      debuginfod = *std::move(env);
      fetcher = debuginfod.get();
    } else {
      log.Warn(std::string(env.status().message()));
    }
  }
  KSYM_ASSIGN_OR_RETURN(const ResolvedInputs in,
                        DiscoverInputs(given, fetcher, progress));
  KSYM_ASSIGN_OR_RETURN(StaticSymbols statics, ReadStaticSymbols(in, log));
  std::vector<KallsymsEntry> kallsyms;
  if (!in.kallsyms.empty()) {
    KSYM_ASSIGN_OR_RETURN(kallsyms, ReadSymbolMap(in.root, in.kallsyms, true, log));
  }
  const bool runtime = !kallsyms.empty();
  std::vector<KallsymsEntry> loadable = TakeLoadableModuleEntries(kallsyms);
  KSYM_ASSIGN_OR_RETURN(c.identity,
                        DecideIdentity(given, in, statics, runtime, log));

  // KASLR: runtime minus link-time addresses, when both sides are there.
  std::optional<int64_t> slide;
  std::vector<InputSource> sources = in.sources;
  if (statics.label == "vmlinux" && runtime) {
    KSYM_ASSIGN_OR_RETURN(slide, ComputeSlide(kallsyms,
                                              CoreNames(statics.symbols),
                                              statics.label, log));
  } else if (!statics.label.empty() && runtime) {
    absl::StatusOr<int64_t> s = ComputeSlide(
        kallsyms, CoreNames(statics.system_map), statics.label, log);
    if (!s.ok() && !in.live) return s.status();
    if (s.ok()) {
      slide = *s;
    } else {
      // Discovered on a live system: another kernel's System.map is
      // refused and the build goes on from kallsyms alone.
      RejectSource("System.map", std::string(s.status().message()), sources);
      statics.system_map.clear();
    }
  }

  // The core symbols: vmlinux (moved to runtime after attribution), else
  // kallsyms, else System.map. `fact_shift` moves link-time facts to them.
  std::optional<int64_t> fact_shift;
  if (statics.label == "vmlinux") {
    c.symbols = std::move(statics.symbols);
    fact_shift = 0;
  } else if (runtime) {
    AddKallsymsEntries(kallsyms, c);
    kallsyms.clear();
    fact_shift = slide;
  } else {
    c.symbols = SymbolsFromEntries(std::move(statics.system_map));
    fact_shift = 0;
    log.Note(absl::StrCat("symbols: ", c.symbols.size(), " from ",
                          in.system_map, " (sizes inferred)"));
  }
  statics.system_map.clear();

  // Objects.
  AttributionFacts object_facts;
  KSYM_ASSIGN_OR_RETURN(object_facts.object_ranges,
                        ReadObjectRanges(in, fact_shift, log));
  if (size_t moved = CoverFunctionEntries(c, object_facts.object_ranges);
      moved > 0) {
    log.Note(absl::StrCat(
        "objects: ", moved,
        " DWARF ranges start a few bytes into a function no range covers "
        "(ftrace's entry NOPs before the DWARF low_pc, as arm64 has): they "
        "start at the function"));
  }
  std::vector<LinkedUnit> link_order =
      LinkedUnitsInOrder(object_facts.object_ranges);
  log.Progress("attributing objects");
  AttributionStats object_stats = Attribute(object_facts, c);
  object_facts = AttributionFacts();
  CrossCheckFileGroups(statics.file_group, statics.files, c, object_stats,
                       log);
  PlaceDataByDwarfVariables(in, fact_shift, statics.file_group, statics.files,
                            c, object_stats, log);
  statics.file_group = {};

  // Built-in modules.
  KSYM_ASSIGN_OR_RETURN(ModuleFiles module_files, ReadModuleFiles(in, log));
  module_files.link_order = std::move(link_order);
  if (statics.label == "vmlinux" && module_files.modinfo) {
    module_files.dyndbg = ReadDyndbgSites(in.root, in.vmlinux, c, log);
    ReadLicenseEvidence(in, module_files, log);
  }
  ModuleFacts module_facts =
      BuiltinModuleFacts(std::move(module_files), c, log);
  log.Progress("attributing modules");
  AttributionStats& stats = out.attribution;
  stats = Attribute(module_facts.facts, c);
  MarkInferredObjects(module_facts.inferred_rules, c);
  if (size_t moved = PaddingFollowsItsFunction(c); moved > 0) {
    log.Note(absl::StrCat(moved,
                          " __pfx_ padding symbols take the object and modules "
                          "of the function they pad"));
  }
  stats.object_from = object_stats.object_from;
  stats.kept_objects = object_stats.kept_objects;
  CountModuleSources(module_facts, c, stats);

  // The runtime layout: vmlinux moved by the slide, loadable modules.
  if (statics.label == "vmlinux" && slide) {
    std::vector<KallsymsEntry> unmatched =
        RelocateToRuntime(*slide, statics.percpu, std::move(kallsyms),
                          in.kallsyms, statics.label, c, log);
    AddKallsymsEntries(unmatched, c);
  }
  c.sources = std::move(sources);
  ReadSourceLines(in.root, statics.label == "vmlinux" ? in.vmlinux : std::string(),
                  given.lines, c, log);
  if (runtime) {
    LoadableModuleSources mods;
    mods.kallsyms = in.kallsyms;
    mods.live = in.live && !in.root.empty();
    mods.lines = given.lines;
    mods.search = {in.root, in.live_identity.release,
                   given.module_debug_lookup};
    if (!mods.search.debug_lookup && fetcher != nullptr) {
      mods.search.debug_lookup =
          ModuleDebugFetch(*fetcher, progress, &c.sources);
    }
    AddLoadableModules(std::move(loadable), mods, c, log);
  }
  c.identity.address_space =
      in.kallsyms.empty() ? AddressSpace::kStatic : AddressSpace::kRuntime;
  c.identity.kaslr_offset = slide.value_or(0);
  c.identity.kaslr_offset_known = !runtime || slide.has_value();
  if (!c.identity.kaslr_offset_known) {
    log.Note(absl::StrCat("KASLR offset unknown: ", in.kallsyms,
                          " alone does not tell it (a vmlinux or System.map "
                          "of this kernel would)"));
  }

  Finish(out, log);
  return out;
}

absl::StatusOr<BuildOutput> BuildFromEntries(
    std::vector<KallsymsEntry> kallsyms, std::vector<KallsymsEntry> system_map,
    KernelIdentity identity) {
  BuildLog log;
  BuildOutput out;
  out.catalog.identity = std::move(identity);
  Catalog& c = out.catalog;
  if (!kallsyms.empty() && !system_map.empty()) {
    absl::StatusOr<int64_t> slide =
        ComputeSlide(kallsyms, CoreNames(system_map), "System.map", log);
    if (!slide.ok()) return slide.status();
    c.identity.kaslr_offset = *slide;
    c.identity.address_space = AddressSpace::kRuntime;
    AddKallsymsEntries(kallsyms, c);
  } else if (!kallsyms.empty()) {
    c.identity.address_space = AddressSpace::kRuntime;
    c.identity.kaslr_offset_known = false;
    AddKallsymsEntries(kallsyms, c);
  } else {
    c.identity.address_space = AddressSpace::kStatic;
    AddKallsymsEntries(system_map, c);
  }
  Finish(out, log);
  return out;
}

}  // namespace ksym
