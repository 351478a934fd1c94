#include "symbolizer/builder/loadable_modules.h"

#include <algorithm>
#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/types/span.h"
#include "symbolizer/builder/module_alias_order.h"
#include "symbolizer/builder/module_checks.h"
#include "symbolizer/builder/module_lines.h"
#include "symbolizer/builder/module_symbols.h"
#include "symbolizer/builder/paths.h"
#include "symbolizer/catalog/identity_names.h"
#include "symbolizer/files/root_path.h"
#include "symbolizer/sources/decompress.h"
#include "symbolizer/sources/elf/dwarf_lines.h"
#include "symbolizer/sources/elf/dwarf_units.h"
#include "symbolizer/sources/elf/elf_symtab.h"
#include "symbolizer/sources/file_reader.h"
#include "symbolizer/sources/loaded_modules.h"

namespace ksym {
namespace {

// A module file read, decompressed and its symbols parsed.
struct ModuleElf {
  std::string path;
  // The ELF image: the file mapped (copy-on-write), or decompressed into
  // memory. The DWARF reader relocates a debug .ko in place.
  FileBytes bytes;
  ElfSymbolTable symtab;
};

// `path` of `root` mapped from an fd opened in the root (files/root_fd.h);
// a compressed file is decompressed into memory. An uncompressed file (a
// debug .ko, tens of MB) is neither read nor copied: only the pages the
// parsers touch are faulted in.
absl::StatusOr<ModuleElf> ReadModuleElf(const std::string& root,
                                        const std::string& path) {
  ModuleElf m;
  m.path = path;
  absl::StatusOr<FileBytes> raw = MapFileInRoot(root, path, kMaxInputBytes);
  if (!raw.ok()) return raw.status();
  if (DetectCompression(raw->view()) == Compression::kNone) {
    m.bytes = *std::move(raw);
  } else {
    absl::StatusOr<std::string> elf = Decompress(raw->view(), path);
    if (!elf.ok()) return elf.status();
    m.bytes = FileBytes(*std::move(elf));
  }
  absl::StatusOr<ElfSymbolTable> symtab = ParseElfSymtab(m.bytes.view(), path);
  if (!symtab.ok()) return symtab.status();
  m.symtab = *std::move(symtab);
  return m;
}

InputSource Rejected(std::string what, std::string path, std::string why) {
  return {std::move(what), std::move(path), SourceState::kRejected,
          std::move(why)};
}

// "" when `file` is acceptable for a module whose build-id is `expected`
// (from `expected_from`), else why not.
std::string BuildIdProblem(const ModuleElf& file, const std::string& expected,
                           const std::string& expected_from) {
  if (!file.symtab.relocatable) return "not a relocatable ELF file (.ko)";
  if (expected.empty() || file.symtab.build_id == expected) return "";
  return absl::StrCat("build-id ",
                      file.symtab.build_id.empty() ? "(none)"
                                                   : file.symtab.build_id,
                      " but the loaded module's is ", expected, " (",
                      expected_from, ")");
}

// A module's first .ko and first debug .ko candidates read ahead, on a
// worker thread, before AddFromFiles decides anything: the reads are pure,
// so AddFromFiles makes the same decisions, in the same order, from them
// (and says what it says, on its own thread). The debug .ko's units, and
// its lines when the build wants them, are read in place, from one DWARF
// open (one relocation), only when its build-id is the one sysfs gives,
// the one AddFromFiles then requires; otherwise AddFromFiles reads them
// itself, after its own checks.
struct ReadAhead {
  std::optional<absl::StatusOr<ModuleElf>> ko;     // ko_candidates[0]
  std::optional<absl::StatusOr<ModuleElf>> debug;  // debug_candidates[0]
  std::optional<UnitsAndLines> dwarf;              // of `debug`
};

ReadAhead ReadModuleFilesAhead(const LoadedModuleFiles& m,
                               const std::string& root, bool lines,
                               std::mutex& dwarf_lock) {
  ReadAhead out;
  if (m.sections.empty()) return out;  // AddFromFiles reads nothing
  if (!m.ko_candidates.empty()) {
    out.ko = ReadModuleElf(root, m.ko_candidates[0]);
  }
  if (!m.debug_candidates.empty()) {
    out.debug = ReadModuleElf(root, m.debug_candidates[0]);
    absl::StatusOr<ModuleElf>& f = *out.debug;
    if (!m.build_id.empty() && f.ok() &&
        BuildIdProblem(*f, m.build_id, m.build_id_file).empty()) {
      // One debug .ko's DWARF at a time: two relocated images and their
      // line programs at once raised the peak (two large modules).
      std::lock_guard<std::mutex> one(dwarf_lock);
      out.dwarf =
          ParseUnitsAndLinesInPlace(f->bytes.mutable_span(), f->path, lines);
      f->bytes.Release();
    }
  }
  return out;
}

// Reads the modules' files ahead on up to two worker threads (the files of
// one module are independent of another's; a debug .ko's relocation and a
// .ko.xz's decompression are most of a live build's module stage), in
// module order; Take(i) waits for module i. Joined when destroyed.
class ModuleReadAhead {
 public:
  ModuleReadAhead(const std::vector<LoadedModuleFiles>& modules,
                  const std::string& root, bool lines)
      : modules_(modules), root_(root), lines_(lines),
        results_(modules.size()) {
    for (auto& r : results_) futures_.push_back(r.get_future());
    const size_t n = std::min<size_t>(2, modules.size());
    for (size_t t = 0; t < n; ++t) {
      workers_.emplace_back([this] {
        for (size_t i; (i = next_.fetch_add(1)) < modules_.size();) {
          results_[i].set_value(
              ReadModuleFilesAhead(modules_[i], root_, lines_, dwarf_lock_));
        }
      });
    }
  }
  ModuleReadAhead(const ModuleReadAhead&) = delete;
  ModuleReadAhead& operator=(const ModuleReadAhead&) = delete;
  ~ModuleReadAhead() {
    for (std::thread& t : workers_) t.join();
  }

  ReadAhead Take(size_t i) { return futures_[i].get(); }

 private:
  const std::vector<LoadedModuleFiles>& modules_;
  const std::string& root_;
  const bool lines_;
  std::mutex dwarf_lock_;
  std::vector<std::promise<ReadAhead>> results_;
  std::vector<std::future<ReadAhead>> futures_;
  std::atomic<size_t> next_{0};
  std::vector<std::thread> workers_;
};

// What became of each module, for the summary.
struct Outcome {
  std::vector<std::string> with_debug, without_debug, kallsyms_only;
  std::vector<std::string> kallsyms_only_why;
  size_t text = 0, text_with_object = 0;
};

uint32_t LoadableSet(const std::string& name, Catalog& c) {
  const uint32_t id = c.InternModuleSet({name});
  c.loadable_module_sets.insert(id);
  return id;
}

void AddPlaced(const std::string& module, PlacedModule& placed, Catalog& c) {
  const uint32_t set = LoadableSet(module, c);
  AddPlacedSymbols(set, placed, c);
  AddKallsymsEntries(placed.kallsyms_only, c);
}

// One module from its files; false (with `why`) to fall back to kallsyms.
// With `placer`, the debug .ko's source lines go to it too.
bool AddFromFiles(const LoadedModuleFiles& m, const ModuleSearch& search,
                  ReadAhead ahead, std::vector<KallsymsEntry>& lines, Catalog& c,
                  Outcome& outcome, BuildLog& log, LoadedModuleRecord& record,
                  ModuleLinePlacer* placer, std::string& why) {
  if (m.sections.empty()) {
    why = m.hidden ? "section addresses read as 0 (not root?)"
                   : absl::StrCat("no ", m.sections_dir);
    return false;
  }
  std::string expected = m.build_id;
  std::string expected_from = m.build_id_file;
  std::optional<ModuleElf> ko;
  for (const std::string& path : m.ko_candidates) {
    absl::StatusOr<ModuleElf> f =
        ahead.ko && path == m.ko_candidates[0]
            ? *std::exchange(ahead.ko, std::nullopt)
            : ReadModuleElf(search.root, path);
    std::string problem = f.ok() ? BuildIdProblem(*f, expected, expected_from)
                                 : std::string(f.status().message());
    if (problem.empty()) problem = ModuleSymbolsProblem(f->symtab);
    if (!problem.empty()) {
      c.sources.push_back(Rejected(absl::StrCat("module ", m.name), path,
                                   std::move(problem)));
      continue;
    }
    ko = *std::move(f);
    break;
  }
  if (expected.empty() && ko) {
    expected = ko->symtab.build_id;  // the debug file must match the .ko
    expected_from = ko->path;
  }
  std::optional<ModuleElf> debug;
  std::optional<DwarfUnits> units;
  std::optional<LineTable> source_lines;
  std::vector<std::string> candidates = m.debug_candidates;
  bool looked_up = false;
  for (size_t i = 0;; ++i) {
    if (i == candidates.size()) {
      if (looked_up || !search.debug_lookup || expected.empty()) break;
      looked_up = true;
      absl::StatusOr<std::string> path = search.debug_lookup(m.name, expected);
      if (!path.ok()) {
        if (!absl::IsNotFound(path.status())) {
          log.Warn(absl::StrCat("debug file of module ", m.name, ": ",
                                path.status().message()));
        }
        break;
      }
      candidates.push_back(*path);
    }
    const bool read_ahead = i == 0 && ahead.debug.has_value();
    absl::StatusOr<ModuleElf> f =
        read_ahead ? *std::exchange(ahead.debug, std::nullopt)
                   : ReadModuleElf(search.root, candidates[i]);
    std::string problem = f.ok() ? BuildIdProblem(*f, expected, expected_from)
                                 : std::string(f.status().message());
    if (problem.empty()) {
      // The image is dropped after this parse either way: relocate it in
      // place, once, for the units and the lines.
      UnitsAndLines dwarf =
          read_ahead && ahead.dwarf
              ? *std::exchange(ahead.dwarf, std::nullopt)
              : ParseUnitsAndLinesInPlace(f->bytes.mutable_span(), f->path,
                                          placer != nullptr);
      absl::StatusOr<DwarfUnits>& u = dwarf.units;
      if (u.ok()) {
        problem = ModuleUnitsProblem(*u);
        if (problem.empty()) problem = ModuleSymbolsProblem(f->symtab);
      } else {
        problem = std::string(u.status().message());
      }
      if (problem.empty()) {
        units = *std::move(u);
        if (placer != nullptr && dwarf.lines) {
          source_lines = ModuleLinesOrWarn(*std::move(dwarf.lines), f->path, log);
        }
        f->bytes.Release();
        debug = *std::move(f);
        break;
      }
    }
    c.sources.push_back(Rejected(absl::StrCat("module ", m.name, " debug"),
                                 candidates[i], std::move(problem)));
  }
  // Symbols from the .ko, else from the debug .ko (same symbols, same
  // sections: strip keeps .symtab).
  const ModuleElf* symbols = ko ? &*ko : debug ? &*debug : nullptr;
  if (symbols == nullptr) {
    why = m.ko_candidates.empty() && m.debug_candidates.empty()
              ? "no .ko file found"
              : "no usable .ko file";
    return false;
  }
  const std::vector<KallsymsEntry> saved = lines;
  PlacedModule placed = PlaceModuleSymbols(
      symbols->symtab, units ? &*units : nullptr, m.sections, std::move(lines));
  const size_t checked = placed.kallsyms_agree + placed.kallsyms_disagree;
  if (placed.kallsyms_disagree * 20 > checked) {
    // More than 1 in 20 kallsyms names elsewhere: not this module's layout.
    c.sources.push_back(Rejected(
        absl::StrCat("module ", m.name), symbols->path,
        absl::StrCat("its symbols are not where kallsyms has them (",
                     placed.kallsyms_disagree, " of ", checked, ": ",
                     absl::StrJoin(placed.disagree_examples, ", "), ")")));
    lines = saved;
    why = "its .ko does not match kallsyms";
    return false;
  }
  if (placed.kallsyms_disagree > 0) {
    log.Warn(absl::StrCat("module ", m.name, ": ", placed.kallsyms_disagree,
                          " kallsyms names sit elsewhere than the .ko places "
                          "them; the .ko's addresses are indexed (",
                          absl::StrJoin(placed.disagree_examples, ", "), ")"));
  }
  if (std::string note = UnselectableNote(symbols->symtab, symbols->path);
      !note.empty()) {
    log.Warn(absl::StrCat("module ", m.name, ": ", note));
  }
  outcome.text += placed.text_symbols;
  outcome.text_with_object += placed.text_with_object;
  (units ? outcome.with_debug : outcome.without_debug).push_back(m.name);
  record.symbols_from_ko = true;
  record.debug_read = units.has_value();
  if (record.build_id.empty()) record.build_id = symbols->symtab.build_id;
  AddPlaced(m.name, placed, c);
  if (source_lines) placer->Add(m.name, *source_lines, m.sections);
  return true;
}

// The record of each module: its section addresses, sorted by name.
std::vector<ModuleSectionAddress> SortedSections(
    const absl::flat_hash_map<std::string, uint64_t>& sections) {
  std::vector<ModuleSectionAddress> out;
  for (const auto& [name, address] : sections) out.push_back({name, address});
  std::sort(out.begin(), out.end(),
            [](const ModuleSectionAddress& a, const ModuleSectionAddress& b) {
              return a.name < b.name;
            });
  return out;
}

// A module /proc/modules did not place spans its symbols: from the lowest
// address to the highest exact end (or highest address), said inferred.
void InferMissingRanges(Catalog& c) {
  absl::flat_hash_map<uint32_t, LoadedModuleRecord*> by_set;
  for (LoadedModuleRecord& m : c.modules) {
    if (m.base == 0) by_set[c.InternModuleSet({m.name})] = &m;
  }
  if (by_set.empty()) return;
  absl::flat_hash_map<uint32_t, std::pair<uint64_t, uint64_t>> span;
  for (const Symbol& s : c.symbols) {
    if (!by_set.contains(s.module_set)) continue;
    const uint64_t end = s.address + (s.size_exact ? s.size : 0);
    auto [it, fresh] = span.try_emplace(s.module_set, s.address, end);
    if (!fresh) {
      it->second.first = std::min(it->second.first, s.address);
      it->second.second = std::max(it->second.second, end);
    }
  }
  for (const auto& [set, range] : span) {
    LoadedModuleRecord& m = *by_set[set];
    m.base = range.first;
    m.size = range.second - range.first;
    m.range_inferred = true;
  }
}

std::string Names(const std::vector<std::string>& names) {
  return names.empty() ? "none" : absl::StrJoin(names, ", ");
}

}  // namespace

std::vector<KallsymsEntry> TakeLoadableModuleEntries(
    std::vector<KallsymsEntry>& kallsyms) {
  std::vector<KallsymsEntry> modules;
  size_t kept = 0;
  for (size_t i = 0; i < kallsyms.size(); ++i) {
    if (!kallsyms[i].module.empty()) {
      modules.push_back(std::move(kallsyms[i]));
    } else {
      if (kept != i) kallsyms[kept] = std::move(kallsyms[i]);
      ++kept;
    }
  }
  kallsyms.resize(kept);
  return modules;
}

void AddKallsymsEntries(std::vector<KallsymsEntry>& entries,
                        Catalog& catalog) {
  absl::flat_hash_map<std::string, uint32_t> module_sets;
  catalog.symbols.reserve(catalog.symbols.size() + entries.size());
  for (KallsymsEntry& e : entries) {
    Symbol s;
    s.address = e.address;
    s.type = e.type;
    s.name = std::move(e.name);
    if (!e.module.empty()) {
      auto it = module_sets.find(e.module);
      if (it == module_sets.end()) {
        it = module_sets.emplace(e.module, LoadableSet(e.module, catalog))
                 .first;
      }
      s.module_set = it->second;
    }
    catalog.symbols.push_back(std::move(s));
  }
}

void AddLoadableModules(std::vector<KallsymsEntry> entries,
                        const LoadableModuleSources& sources, Catalog& c,
                        BuildLog& log) {
  // The modules: ROOT/proc/modules, then those only kallsyms names. The
  // kernel's pseudo-modules ([__builtin__ftrace], [bpf], ...) are left out:
  // they change by the second, and a cached index holding them would be
  // stale at once (their addresses are answered live from kallsyms).
  std::vector<std::string> names;
  absl::flat_hash_set<std::string> seen;
  absl::flat_hash_map<std::string, LoadedModule> proc;  // by name
  const std::string proc_modules =
      PathInRoot(sources.search.root, "proc/modules");
  if (sources.live) {
    if (auto text = ReadRegularFileInRoot(sources.search.root, proc_modules); text.ok()) {
      if (auto mods = ParseProcModules(*text, proc_modules); mods.ok()) {
        for (LoadedModule& m : *mods) {
          if (seen.insert(m.name).second) {
            names.push_back(m.name);
            proc.emplace(m.name, std::move(m));
          }
        }
      } else {
        log.Warn(std::string(mods.status().message()));
      }
    }
  }
  absl::flat_hash_map<std::string, std::vector<KallsymsEntry>> lines;
  std::vector<std::string> order;  // every [mod] of kallsyms, first seen
  std::map<std::string, size_t> pseudo;  // lines left out, per pseudo-module
  for (KallsymsEntry& e : entries) {
    if (IsPseudoModule(e.module)) {
      ++pseudo[e.module];
      continue;
    }
    if (!lines.contains(e.module)) order.push_back(e.module);
    if (seen.insert(e.module).second) names.push_back(e.module);
    lines[e.module].push_back(std::move(e));
  }
  if (!pseudo.empty()) {
    std::vector<std::string> counts;
    for (const auto& [module, n] : pseudo) {
      counts.push_back(absl::StrCat("[", module, "] ", n));
    }
    log.Note(absl::StrCat(
        "kallsyms pseudo-module lines not indexed (they come and go; "
        "answered live from kallsyms): ",
        absl::StrJoin(counts, ", ")));
  }
  const size_t kallsyms_lines = entries.size();
  entries.clear();
  const std::string modules_dir = PathInRoot(
      sources.search.root, absl::StrCat("lib/modules/", sources.search.release));

  // One record per module, filled as it is read.
  absl::flat_hash_map<std::string, LoadedModuleRecord> records;
  for (const std::string& n : names) {
    LoadedModuleRecord& r = records[n];
    r.name = n;
    if (auto it = proc.find(n); it != proc.end() && it->second.address != 0) {
      r.base = it->second.address;
      r.size = it->second.size;
    }
  }
  Outcome outcome;
  ModuleLinePlacer placer;
  if (sources.live && !names.empty()) {
    log.Progress("reading loadable modules");
    // A name names ROOT/sys/module/NAME: one that is not a module name
    // ("../../tmp/x") is refused, its kallsyms lines kept as they are.
    std::vector<std::string> valid;
    for (const std::string& n : names) {
      absl::Status ok = CheckModuleName(n);
      if (ok.ok()) {
        valid.push_back(n);
        continue;
      }
      log.Warn(absl::StrCat(proc_modules, " or kallsyms: ", ok.message(),
                            ": no module files read for it"));
      outcome.kallsyms_only.push_back(n);
      outcome.kallsyms_only_why.push_back(
          absl::StrCat(absl::CEscape(n), " (not a module name)"));
    }
    const std::vector<LoadedModuleFiles> found =
        FindLoadedModuleFiles(sources.search, valid);
    ModuleReadAhead ahead(found, sources.search.root, sources.lines);
    for (size_t i = 0; i < found.size(); ++i) {
      const LoadedModuleFiles& m = found[i];
      std::vector<KallsymsEntry>& own = lines[m.name];
      LoadedModuleRecord& record = records[m.name];
      record.sections = SortedSections(m.sections);
      record.build_id = m.build_id;
      std::string why;
      if (AddFromFiles(m, sources.search, ahead.Take(i), own, c, outcome, log,
                       record, sources.lines ? &placer : nullptr, why)) {
        lines.erase(m.name);
      } else {
        outcome.kallsyms_only.push_back(m.name);
        outcome.kallsyms_only_why.push_back(absl::StrCat(m.name, " (", why,
                                                         ")"));
      }
    }
  } else {
    for (const std::string& n : names) outcome.kallsyms_only.push_back(n);
  }
  // What is left: modules read from kallsyms only.
  size_t from_kallsyms = 0;
  for (const std::string& module : order) {
    auto it = lines.find(module);
    if (it == lines.end()) continue;
    from_kallsyms += it->second.size();
    // Kallsyms lists a module's symbols in its symtab order: the first of
    // aliases is the one the kernel names (module_alias_order.h).
    const size_t begin = c.symbols.size();
    AddKallsymsEntries(it->second, c);
    MarkModuleAliasFirst(absl::MakeSpan(c.symbols).subspan(begin));
  }
  for (auto& [name, record] : records) c.modules.push_back(std::move(record));
  std::sort(c.modules.begin(), c.modules.end(),
            [](const LoadedModuleRecord& a, const LoadedModuleRecord& b) {
              return a.name < b.name;
            });
  InferMissingRanges(c);
  if (names.empty() && kallsyms_lines == 0) return;

  const size_t with_ko =
      outcome.with_debug.size() + outcome.without_debug.size();
  InputSource summary;
  summary.what = "loadable modules";
  summary.path = sources.live ? modules_dir : sources.kallsyms;
  summary.state = with_ko > 0 ? SourceState::kFound : SourceState::kMissing;
  if (!sources.live) {
    summary.why = absl::StrCat(
        "no .ko read: ", names.size(),
        " modules from kallsyms [mod] lines only (not a live system: --root "
        "DIR reads sys/module and lib/modules)");
  } else {
    summary.why = absl::StrCat(
        with_ko == 0 ? "no .ko read: " : "", names.size(), " loaded, ",
        with_ko, " from .ko files, ", outcome.with_debug.size(),
        " with debug data ({object} for ", outcome.text_with_object, " of ",
        outcome.text, " text symbols); no debug data: ",
        Names(outcome.without_debug), "; kallsyms [mod] only: ",
        Names(outcome.kallsyms_only_why));
  }
  c.sources.push_back(summary);
  log.Note(absl::StrCat("loadable modules: ", summary.why));
  if (!sources.lines) {
    c.sources.push_back(MissingModuleLines("not read: built with --no-lines"));
  } else {
    c.module_lines = placer.Finish(c.sources);
    log.Note(absl::StrCat("module lines: ", c.sources.back().why));
  }
  if (from_kallsyms > 0) {
    log.Note(absl::StrCat(from_kallsyms, " loadable-module symbols from ",
                          sources.kallsyms, " alone (no sizes, no objects)"));
  }
}

}  // namespace ksym
