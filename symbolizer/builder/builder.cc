#include "symbolizer/builder/builder.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "symbolizer/builder/kbuild_tree.h"
#include "symbolizer/builder/running_kernel.h"
#include "symbolizer/builder/vmlinux_facts.h"
#include "symbolizer/sources/elf/dwarf_units.h"
#include "symbolizer/sources/elf/elf_symtab.h"
#include "symbolizer/sources/file_reader.h"
#include "symbolizer/sources/linkmap/linker_map.h"
#include "symbolizer/sources/modules_builtin.h"

namespace ksym {
namespace {

constexpr char kLiveKallsyms[] = "/proc/kallsyms";
// Anchors for the KASLR slide, in order of preference.
constexpr const char* kAnchors[] = {"_text", "_stext", "startup_64"};
// Examples quoted in a note or warning.
constexpr size_t kMaxExamples = 5;

// A core-kernel symbol of the static side, for the slide computation.
struct StaticName {
  absl::string_view name;
  uint64_t address;
};

std::vector<StaticName> CoreNames(const std::vector<KallsymsEntry>& entries) {
  std::vector<StaticName> out;
  out.reserve(entries.size());
  for (const KallsymsEntry& e : entries) {
    if (e.module.empty()) out.push_back({e.name, e.address});
  }
  return out;
}

std::vector<StaticName> CoreNames(const std::vector<Symbol>& symbols) {
  std::vector<StaticName> out;
  out.reserve(symbols.size());
  for (const Symbol& s : symbols) out.push_back({s.name, s.address});
  return out;
}

// The KASLR slide of `kallsyms` against the static addresses of the same
// kernel, checked on every text symbol whose name is unique: the static and
// runtime addresses of every core symbol differ by one slide. `label` names
// the static source in messages ("System.map", "vmlinux").
absl::StatusOr<int64_t> ComputeSlide(const std::vector<KallsymsEntry>& kallsyms,
                                     const std::vector<StaticName>& statics,
                                     absl::string_view label,
                                     std::vector<std::string>& notes) {
  std::optional<int64_t> slide;
  for (const char* anchor : kAnchors) {
    std::optional<uint64_t> run, stat;
    for (const KallsymsEntry& e : kallsyms) {
      if (e.name == anchor && e.module.empty()) {
        run = e.address;
        break;
      }
    }
    for (const StaticName& s : statics) {
      if (s.name == anchor) {
        stat = s.address;
        break;
      }
    }
    if (run && stat) {
      slide = static_cast<int64_t>(*run - *stat);
      notes.push_back(absl::StrCat("KASLR offset 0x", absl::Hex(*run - *stat),
                                   " (from ", anchor, ")"));
      break;
    }
  }
  if (!slide) {
    return absl::InvalidArgumentError(absl::StrCat(
        "kallsyms and ", label,
        " share none of _text, _stext, startup_64: cannot compute the KASLR "
        "offset"));
  }
  // Only names that occur once can be compared.
  absl::flat_hash_map<absl::string_view, uint64_t> static_of;
  absl::flat_hash_set<absl::string_view> repeated;
  static_of.reserve(statics.size());
  for (const StaticName& s : statics) {
    if (!static_of.emplace(s.name, s.address).second) repeated.insert(s.name);
  }
  for (absl::string_view r : repeated) static_of.erase(r);
  size_t compared = 0, mismatched = 0;
  std::string example;
  for (const KallsymsEntry& e : kallsyms) {
    if (!e.module.empty() || !IsTextType(e.type)) continue;
    auto it = static_of.find(e.name);
    if (it == static_of.end()) continue;
    ++compared;
    if (it->second + static_cast<uint64_t>(*slide) != e.address) {
      if (++mismatched == 1) {
        example = absl::StrCat(e.name, " is at 0x", absl::Hex(e.address), ", ",
                               label, " says 0x", absl::Hex(it->second));
      }
    }
  }
  // Duplicated names can legitimately map differently; a real mismatch
  // moves nearly everything.
  if (compared == 0 || mismatched * 10 > compared) {
    return absl::FailedPreconditionError(absl::StrCat(
        label, " does not match kallsyms: ", mismatched, " of ", compared,
        " text symbols disagree after the KASLR offset (", example, "); is it ",
        label == "System.map" ? "the System.map" : "the vmlinux",
        " of the running kernel?"));
  }
  return *slide;
}

// Appends kallsyms entries (moving their names); entries of loadable
// modules get one module set per module, marked loadable.
void AddEntries(std::vector<KallsymsEntry>& entries, Catalog& catalog) {
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
        const uint32_t id = catalog.InternModuleSet({e.module});
        catalog.loadable_module_sets.insert(id);
        it = module_sets.emplace(e.module, id).first;
      }
      s.module_set = it->second;
    }
    catalog.symbols.push_back(std::move(s));
  }
}

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
void DropRepeats(Catalog& catalog) {
  auto& v = catalog.symbols;
  v.erase(std::unique(v.begin(), v.end(),
                      [](const Symbol& a, const Symbol& b) {
                        return a.address == b.address && a.name == b.name;
                      }),
          v.end());
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

bool IsRegularFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string JoinPath(absl::string_view dir, absl::string_view name) {
  if (dir.empty()) return std::string(name);
  if (dir.back() == '/') return absl::StrCat(dir, name);
  return absl::StrCat(dir, "/", name);
}

absl::string_view Basename(absl::string_view path) {
  size_t slash = path.rfind('/');
  return slash == absl::string_view::npos ? path : path.substr(slash + 1);
}

// "core.c" and "kernel/sched/core.o" both have the stem "core".
absl::string_view Stem(absl::string_view path) {
  absl::string_view base = Basename(path);
  size_t dot = base.rfind('.');
  return dot == absl::string_view::npos || dot == 0 ? base
                                                    : base.substr(0, dot);
}

std::string Examples(const std::vector<std::string>& examples, size_t total) {
  std::string out = absl::StrJoin(examples, ", ");
  if (total > examples.size()) absl::StrAppend(&out, ", ...");
  return out;
}

// System.map files in Debian's non-dbg image package are a one-line
// placeholder; say so instead of failing on the blanks in its "name".
constexpr absl::string_view kPlaceholder = "The real System.map is in";

class Builder {
 public:
  Builder(const BuildInputs& inputs, const ProgressFn& progress)
      : in_(inputs), progress_(progress) {}

  absl::StatusOr<BuildOutput> Run();

 private:
  void Progress(absl::string_view what) {
    if (progress_) progress_(0, 0, what);
  }
  void Note(std::string note) { out_.notes.push_back(std::move(note)); }
  void Warn(std::string warning) {
    out_.warnings.push_back(std::move(warning));
  }

  absl::Status ResolvePaths();
  absl::StatusOr<std::vector<KallsymsEntry>> ReadMap(const std::string& path,
                                                     bool kallsyms);
  absl::Status ReadVmlinux();
  absl::Status ReadStaticSymbols();
  absl::Status SetIdentity();
  absl::Status ObjectFacts(std::vector<ObjectRange>& ranges);
  absl::Status ModuleFiles();
  void CrossCheckFileGroups(AttributionStats& stats);
  void ObjectModules(AttributionFacts& facts);
  void ModuleRanges(AttributionFacts& facts);
  absl::Status MergeRuntime();

  const BuildInputs& in_;
  const ProgressFn& progress_;
  BuildOutput out_;

  // Resolved input paths ("" when absent).
  std::string kallsyms_path_, system_map_path_, vmlinux_path_, linker_map_path_,
      release_path_;
  std::string builtin_path_, modinfo_path_, objs_path_, ranges_path_;
  bool live_ = false;

  // The static side (vmlinux or System.map), in link-time addresses, and for
  // vmlinux the STT_FILE group of each symbol (parallel, -1 for none).
  bool have_static_ = false;
  std::string static_label_;
  std::vector<Symbol> static_symbols_;
  std::vector<int32_t> symbol_file_;
  // Parallel too: the symbol is in .data..percpu.
  std::vector<bool> symbol_percpu_;
  std::vector<std::string> files_;
  std::string vmlinux_build_id_, vmlinux_arch_, banner_release_;

  std::vector<KallsymsEntry> kallsyms_;
  std::vector<KallsymsEntry> system_map_;
  // Added to static facts (linker map, DWARF) to reach catalog addresses.
  std::optional<int64_t> fact_shift_;
  // Runtime minus static addresses, when kallsyms and a static source meet.
  std::optional<int64_t> slide_;
  // The static symbols move by the slide and kallsyms adds its modules.
  bool merge_runtime_ = false;

  // Module facts.
  std::optional<absl::flat_hash_set<std::string>> builtin_;
  std::optional<BuiltinModinfo> modinfo_;
  std::optional<std::vector<BuiltinModuleObjects>> objs_;
  std::optional<std::vector<BuiltinRange>> ranges_;
  std::optional<KbuildTree> kbuild_;
  // Object path → the source its module set came from.
  absl::flat_hash_map<std::string, FactSource> object_module_source_;
};

absl::Status Builder::ResolvePaths() {
  const std::string& build = in_.build_dir;
  if (!build.empty() && !IsDirectory(build)) {
    return absl::NotFoundError(
        absl::StrCat(build, ": no such directory (--build-dir)"));
  }
  if (!in_.modules_dir.empty() && !IsDirectory(in_.modules_dir)) {
    return absl::NotFoundError(
        absl::StrCat(in_.modules_dir, ": no such directory (--modules-dir)"));
  }
  auto in_build = [&](absl::string_view name) {
    if (build.empty()) return std::string();
    std::string path = JoinPath(build, name);
    return IsRegularFile(path) ? path : std::string();
  };
  kallsyms_path_ = in_.kallsyms_path;
  system_map_path_ = !in_.system_map_path.empty() ? in_.system_map_path
                                                  : in_build("System.map");
  vmlinux_path_ =
      !in_.vmlinux_path.empty() ? in_.vmlinux_path : in_build("vmlinux");
  linker_map_path_ = !in_.linker_map_path.empty() ? in_.linker_map_path
                                                  : in_build("vmlinux.map");
  release_path_ = in_build("include/config/kernel.release");
  auto module_file = [&](absl::string_view name) {
    if (!in_.modules_dir.empty()) {
      std::string path = JoinPath(in_.modules_dir, name);
      if (IsRegularFile(path)) return path;
    }
    return in_build(name);
  };
  builtin_path_ = module_file("modules.builtin");
  modinfo_path_ = module_file("modules.builtin.modinfo");
  objs_path_ = module_file("modules.builtin.objs");
  ranges_path_ = module_file("modules.builtin.ranges");
  if (!in_.modules_dir.empty() && builtin_path_.empty() &&
      modinfo_path_.empty() && objs_path_.empty() && ranges_path_.empty()) {
    return absl::NotFoundError(absl::StrCat(
        in_.modules_dir,
        ": no modules.builtin, modules.builtin.modinfo, modules.builtin.objs "
        "or modules.builtin.ranges (expected a /lib/modules/RELEASE "
        "directory)"));
  }
  if (kallsyms_path_.empty() && system_map_path_.empty() &&
      vmlinux_path_.empty()) {
    kallsyms_path_ = kLiveKallsyms;
  }
  live_ = kallsyms_path_ == kLiveKallsyms;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<KallsymsEntry>> Builder::ReadMap(
    const std::string& path, bool kallsyms) {
  Progress(absl::StrCat("reading ", path));
  absl::StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status();
  if (!kallsyms && absl::StrContains(text->substr(0, 200), kPlaceholder)) {
    return absl::FailedPreconditionError(absl::StrCat(
        path,
        ": a placeholder, not a symbol map (Debian ships the real System.map "
        "in the linux-image-RELEASE-dbg package)"));
  }
  return kallsyms ? ParseKallsyms(*text, path) : ParseSystemMap(*text, path);
}

absl::Status Builder::ReadVmlinux() {
  Progress(absl::StrCat("reading symbols of ", vmlinux_path_));
  absl::StatusOr<ElfSymbolTable> table = ReadElfSymtabFile(vmlinux_path_);
  if (!table.ok()) return table.status();
  if (table->relocatable) {
    return absl::InvalidArgumentError(absl::StrCat(
        vmlinux_path_,
        ": a relocatable object (a .ko or vmlinux.o?), not a linked vmlinux"));
  }
  if (table->symbols.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        vmlinux_path_,
        ": no symbols (stripped?); use the vmlinux of the -dbg package or the "
        "build tree"));
  }
  vmlinux_build_id_ = table->build_id;
  vmlinux_arch_ = table->arch;
  files_ = std::move(table->files);

  // System.map, when given, decides which symbols are listed (its
  // mksysmap may be older or newer than the rules here); every System.map
  // symbol must then be a vmlinux symbol at the same address.
  struct Listed {
    char type;
    bool matched;
  };
  absl::flat_hash_map<std::pair<absl::string_view, uint64_t>, Listed> listed;
  if (!system_map_.empty()) {
    listed.reserve(system_map_.size());
    for (const KallsymsEntry& e : system_map_) {
      listed.try_emplace(std::make_pair(absl::string_view(e.name), e.address),
                         Listed{e.type, false});
    }
  }
  static_symbols_.reserve(system_map_.empty() ? table->symbols.size()
                                              : system_map_.size());
  size_t exact = 0, retyped = 0;
  for (ElfSymbol& e : table->symbols) {
    char type = e.nm_type;
    if (!system_map_.empty()) {
      auto it = listed.find(std::make_pair(absl::string_view(e.name), e.value));
      if (it == listed.end()) continue;
      it->second.matched = true;
      if (it->second.type != type) {
        ++retyped;
        type = it->second.type;
      }
    } else if (!MksysmapKeeps(type, e.name)) {
      continue;
    }
    Symbol s;
    s.address = e.value;
    s.size = e.size;
    s.size_exact = e.size != 0;
    exact += s.size_exact;
    s.type = type;
    s.name = std::move(e.name);
    static_symbols_.push_back(std::move(s));
    symbol_file_.push_back(e.file);
    symbol_percpu_.push_back(e.section_name == ".data..percpu");
  }
  std::string symtab_note =
      absl::StrCat("symbols: ", static_symbols_.size(), " from ", vmlinux_path_,
                   " .symtab (", exact, " with an exact size)");
  if (!system_map_.empty()) {
    size_t missing_text = 0, missing_other = 0;
    std::vector<std::string> examples;
    for (const KallsymsEntry& e : system_map_) {
      auto it =
          listed.find(std::make_pair(absl::string_view(e.name), e.address));
      if (it->second.matched) continue;
      if (IsTextType(e.type)) {
        if (++missing_text <= kMaxExamples) {
          examples.push_back(
              absl::StrCat(e.name, " at 0x", absl::Hex(e.address)));
        }
      } else {
        ++missing_other;
      }
      it->second.matched = true;  // count repeats once
    }
    if (missing_text > 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(system_map_path_, " does not match ", vmlinux_path_,
                       ": ", missing_text,
                       " of its text symbols are not in the vmlinux at the "
                       "same address (",
                       Examples(examples, missing_text),
                       "); are they from the same build?"));
    }
    absl::StrAppend(&symtab_note, ", the symbols of ", system_map_path_);
    if (missing_other > 0) {
      Warn(absl::StrCat(missing_other, " non-text symbols of ",
                        system_map_path_,
                        " are not in the vmlinux at the same address; they "
                        "are left out"));
    }
    if (retyped > 0) {
      Note(absl::StrCat(retyped, " symbols take their type letter from ",
                        system_map_path_, " (nm differs)"));
    }
  } else {
    absl::StrAppend(&symtab_note, ", filtered as scripts/mksysmap does");
  }
  Note(std::move(symtab_note));

  for (const Symbol& s : static_symbols_) {
    if (s.name != "linux_banner") continue;
    absl::StatusOr<std::string> banner =
        ReadElfString(vmlinux_path_, s.address);
    if (banner.ok()) {
      absl::StatusOr<std::string> release = ReleaseFromBanner(*banner);
      if (release.ok()) banner_release_ = *release;
    }
    if (banner_release_.empty()) {
      Warn(absl::StrCat(vmlinux_path_,
                        ": linux_banner holds no \"Linux version RELEASE\""));
    }
    break;
  }
  return absl::OkStatus();
}

absl::Status Builder::ReadStaticSymbols() {
  if (!system_map_path_.empty()) {
    absl::StatusOr<std::vector<KallsymsEntry>> e =
        ReadMap(system_map_path_, false);
    if (!e.ok()) return e.status();
    system_map_ = *std::move(e);
  }
  if (!vmlinux_path_.empty()) {
    if (absl::Status s = ReadVmlinux(); !s.ok()) return s;
    have_static_ = true;
    static_label_ = "vmlinux";
    system_map_.clear();
    system_map_.shrink_to_fit();
  } else if (!system_map_.empty()) {
    have_static_ = true;
    static_label_ = "System.map";
  }
  if (!kallsyms_path_.empty()) {
    absl::StatusOr<std::vector<KallsymsEntry>> e =
        ReadMap(kallsyms_path_, true);
    if (!e.ok()) return e.status();
    kallsyms_ = *std::move(e);
  }
  return absl::OkStatus();
}

absl::Status Builder::SetIdentity() {
  KernelIdentity& id = out_.catalog.identity;
  std::string running_build_id;
  std::string running_source;
  if (in_.identity_given) {
    id = in_.identity;
    running_build_id = id.build_id;
    running_source = "the given identity";
  } else if (live_) {
    id = RunningKernelIdentity();
    running_build_id = id.build_id;
    running_source = "/sys/kernel/notes";
  }
  if (!vmlinux_path_.empty() && !kallsyms_.empty()) {
    if (!running_build_id.empty() && !vmlinux_build_id_.empty() &&
        running_build_id != vmlinux_build_id_) {
      return absl::FailedPreconditionError(absl::StrCat(
          vmlinux_path_, " has build-id ", vmlinux_build_id_,
          " but the running kernel's is ", running_build_id, " (",
          running_source,
          "): give the vmlinux of the running kernel (its -dbg package)"));
    }
    if (live_ && running_build_id.empty()) {
      Warn(
          "the running kernel's build-id is unknown (/sys/kernel/notes "
          "unreadable): vmlinux is checked against kallsyms addresses only");
    }
  }
  if (id.build_id.empty()) id.build_id = vmlinux_build_id_;
  if (id.arch.empty()) id.arch = vmlinux_arch_;
  std::string modules_release;
  if (!in_.modules_dir.empty()) {
    absl::string_view dir = in_.modules_dir;
    while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
    modules_release = std::string(Basename(dir));
  }
  std::string tree_release;
  if (!release_path_.empty()) {
    absl::StatusOr<std::string> text = ReadFileToString(release_path_);
    if (text.ok())
      tree_release = std::string(absl::StripAsciiWhitespace(*text));
  }
  if (id.release.empty()) {
    if (!banner_release_.empty()) {
      id.release = banner_release_;
    } else if (!tree_release.empty()) {
      id.release = tree_release;
    } else {
      id.release = modules_release;
    }
  }
  // A modules directory named for another release is the wrong one.
  if (!modules_release.empty() && absl::ascii_isdigit(modules_release[0]) &&
      !id.release.empty() && modules_release != id.release) {
    Warn(absl::StrCat("modules directory ", in_.modules_dir,
                      " is named for release ", modules_release,
                      " but the kernel is ", id.release));
  }
  return absl::OkStatus();
}

absl::Status Builder::ObjectFacts(std::vector<ObjectRange>& ranges) {
  if (!fact_shift_) {
    if (!linker_map_path_.empty() || !vmlinux_path_.empty()) {
      Warn(
          "the linker map and DWARF speak static addresses, and kallsyms "
          "alone gives no KASLR offset: objects left out (add --system-map "
          "or --vmlinux)");
    }
    return absl::OkStatus();
  }
  const uint64_t shift = static_cast<uint64_t>(*fact_shift_);
  if (!linker_map_path_.empty()) {
    Progress(absl::StrCat("reading ", linker_map_path_));
    absl::StatusOr<LinkerMap> map = ReadLinkerMapFile(linker_map_path_);
    if (!map.ok()) return map.status();
    bool names_vmlinux_o = false;
    for (const MapInputSection& s : map->sections) {
      if (s.object == "vmlinux.o") {
        names_vmlinux_o = true;
        break;
      }
    }
    if (names_vmlinux_o) {
      absl::string_view dir = linker_map_path_;
      size_t slash = dir.rfind('/');
      dir = slash == absl::string_view::npos ? "" : dir.substr(0, slash);
      std::string o_map = JoinPath(dir, "vmlinux.o.map");
      if (IsRegularFile(o_map)) {
        absl::StatusOr<LinkerMap> r = ReadLinkerMapFile(o_map);
        if (!r.ok()) return r.status();
        *map = ExpandRelocatableObject(*map, "vmlinux.o", *r);
        Note(absl::StrCat("vmlinux.o sections expanded through ", o_map));
      } else {
        Warn(absl::StrCat(linker_map_path_,
                          " links vmlinux.o as a whole (CONFIG_X86_KERNEL_IBT "
                          "or LTO) and ",
                          o_map,
                          " is missing: its symbols get object vmlinux.o"));
      }
    }
    absl::string_view prefix = in_.build_dir;
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
    Note(absl::StrCat("objects: ", linker_map_path_, " (", objects.size(),
                      " objects, ", ranges.size(), " ranges)"));
    return absl::OkStatus();
  }
  if (vmlinux_path_.empty()) return absl::OkStatus();
  Progress(absl::StrCat("reading DWARF compile units of ", vmlinux_path_));
  absl::StatusOr<DwarfUnits> units = ReadDwarfUnitsFile(vmlinux_path_);
  if (!units.ok()) {
    if (absl::IsFailedPrecondition(units.status())) {
      Warn(absl::StrCat(units.status().message(),
                        "; without a linker map, symbols get no object"));
      return absl::OkStatus();
    }
    return units.status();
  }
  size_t unresolved = 0;
  std::vector<std::string> unresolved_examples;
  for (const DwarfUnit& u : units->units) {
    if (u.ranges.empty()) continue;
    if (u.path_unresolved && ++unresolved <= kMaxExamples) {
      unresolved_examples.push_back(u.name);
    }
    for (const auto& [begin, end] : u.ranges) {
      ranges.push_back(
          {begin + shift, end + shift, u.object_path, FactSource::kDwarf});
    }
  }
  Note(absl::StrCat("objects: DWARF of ", vmlinux_path_, " (",
                    units->units.size(), " compile units, ", ranges.size(),
                    " ranges)"));
  if (unresolved > 0) {
    Warn(absl::StrCat(unresolved,
                      " compile units have names outside the build tree; "
                      "their object paths are guesses from the name (",
                      Examples(unresolved_examples, unresolved), ")"));
  }
  return absl::OkStatus();
}

// Local symbols follow the STT_FILE symbol of their source file: where an
// object from the ranges is known, its basename must agree (core.c ↔
// kernel/sched/core.o). A group whose symbols agree on one object gives it
// to its symbols that no range covers (data, mostly).
void Builder::CrossCheckFileGroups(AttributionStats& stats) {
  if (symbol_file_.empty()) return;
  Catalog& c = out_.catalog;
  constexpr uint32_t kNone = kNoObject;
  constexpr uint32_t kConflict = kNoObject - 1;
  std::vector<uint32_t> group_object(files_.size(), kNone);
  size_t agree = 0, disagree = 0;
  std::vector<std::string> examples;
  // Groups with a local function no range covers: their object has no
  // ranges, so another object of the same stem must not stand in for it.
  std::vector<bool> uncovered_text(files_.size(), false);
  for (size_t i = 0; i < c.symbols.size(); ++i) {
    int32_t g = symbol_file_[i];
    const Symbol& s = c.symbols[i];
    if (g < 0) continue;
    if (s.object == kNoObject) {
      if (IsTextType(s.type)) uncovered_text[g] = true;
      continue;
    }
    if (Stem(files_[g]) != Stem(c.objects[s.object].path)) {
      if (++disagree <= kMaxExamples) {
        examples.push_back(absl::StrCat(s.name, " (", files_[g], ") in ",
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
  for (const std::string& f : files_) ++groups_with_stem[Stem(f)];
  absl::flat_hash_map<absl::string_view, uint32_t> object_with_stem;
  for (uint32_t o = 0; o < c.objects.size(); ++o) {
    auto [it, inserted] = object_with_stem.emplace(Stem(c.objects[o].path), o);
    if (!inserted) it->second = kConflict;
  }
  for (size_t g = 0; g < files_.size(); ++g) {
    if (group_object[g] != kNone || uncovered_text[g]) continue;
    absl::string_view stem = Stem(files_[g]);
    auto it = object_with_stem.find(stem);
    if (groups_with_stem[stem] == 1 && it != object_with_stem.end()) {
      group_object[g] = it->second;
    }
  }
  size_t filled = 0;
  for (size_t i = 0; i < c.symbols.size(); ++i) {
    int32_t g = symbol_file_[i];
    Symbol& s = c.symbols[i];
    if (g < 0 || s.object != kNoObject) continue;
    uint32_t o = group_object[g];
    if (o == kNone || o == kConflict) continue;
    s.object = o;
    ++filled;
  }
  stats.object_from[static_cast<size_t>(FactSource::kStFile)] += filled;
  if (agree + disagree > 0) {
    Note(absl::StrCat(
        "STT_FILE agrees with the object of ", agree, " local symbols",
        filled > 0 ? absl::StrCat("; gave ", filled,
                                  " more local symbols their group's object")
                   : ""));
  }
  if (disagree > 0) {
    Warn(absl::StrCat("STT_FILE disagrees with the object of ", disagree,
                      " local symbols: ", Examples(examples, disagree)));
  }
}

absl::Status Builder::ModuleFiles() {
  if (!builtin_path_.empty()) {
    absl::StatusOr<std::string> text = ReadFileToString(builtin_path_);
    if (!text.ok()) return text.status();
    absl::StatusOr<std::vector<std::string>> paths =
        ParseModulesBuiltin(*text, builtin_path_);
    if (!paths.ok()) return paths.status();
    builtin_.emplace(paths->begin(), paths->end());
  }
  if (!modinfo_path_.empty()) {
    absl::StatusOr<std::string> bytes = ReadFileToString(modinfo_path_);
    if (!bytes.ok()) return bytes.status();
    absl::StatusOr<BuiltinModinfo> m =
        ParseModulesBuiltinModinfo(*bytes, modinfo_path_);
    if (!m.ok()) return m.status();
    modinfo_ = *std::move(m);
  }
  if (!objs_path_.empty()) {
    absl::StatusOr<std::string> text = ReadFileToString(objs_path_);
    if (!text.ok()) return text.status();
    absl::StatusOr<std::vector<BuiltinModuleObjects>> o =
        ParseModulesBuiltinObjs(*text, objs_path_);
    if (!o.ok()) return o.status();
    objs_ = *std::move(o);
  }
  if (!ranges_path_.empty()) {
    absl::StatusOr<std::string> text = ReadFileToString(ranges_path_);
    if (!text.ok()) return text.status();
    absl::StatusOr<std::vector<BuiltinRange>> r =
        ParseModulesBuiltinRanges(*text, ranges_path_);
    if (!r.ok()) return r.status();
    ranges_ = *std::move(r);
  }
  if (!in_.build_dir.empty()) {
    Progress(absl::StrCat("reading kbuild .cmd files under ", in_.build_dir));
    absl::StatusOr<KbuildTree> tree = ScanKbuildTree(in_.build_dir);
    if (!tree.ok()) return tree.status();
    if (tree->malformed > 0) {
      Warn(absl::StrCat(tree->malformed, " of ", tree->cmd_files,
                        " .o.cmd files are not kbuild commands and were "
                        "skipped (first: ",
                        tree->first_error, ")"));
    }
    if (tree->cmd_files > 0) kbuild_ = *std::move(tree);
  }
  return absl::OkStatus();
}

void Builder::ObjectModules(AttributionFacts& facts) {
  Catalog& c = out_.catalog;
  auto& om = facts.object_modules;
  FactSource primary = FactSource::kNone;
  if (objs_) {
    std::vector<std::pair<std::string, std::vector<std::string>>> pairs;
    pairs.reserve(objs_->size());
    for (BuiltinModuleObjects& m : *objs_) {
      pairs.emplace_back(std::move(m.module_object), std::move(m.objects));
    }
    om = ObjectModulesFromBuiltinObjs(pairs);
    for (const auto& [object, modules] : om) {
      object_module_source_[object] = FactSource::kModulesBuiltinObjs;
    }
    primary = FactSource::kModulesBuiltinObjs;
    Note(absl::StrCat("modules: ", objs_path_, " (", pairs.size(),
                      " built-in modules, ", om.size(), " objects)"));
  }
  if (kbuild_) {
    if (!builtin_) {
      Warn(absl::StrCat(
          "the .cmd files of ", in_.build_dir,
          " name each object's module, but without modules.builtin they "
          "cannot tell built-in modules from the core kernel: left out"));
    } else {
      size_t in_modules = 0, added = 0;
      for (const KbuildCmd& cmd : kbuild_->objects) {
        if (om.contains(cmd.object)) continue;
        std::vector<std::string> modules;
        for (const std::string& modfile : cmd.modfiles) {
          if (builtin_->contains(absl::StrCat("kernel/", modfile, ".ko"))) {
            modules.push_back(ModuleNameFromPath(modfile));
          }
        }
        std::sort(modules.begin(), modules.end());
        modules.erase(std::unique(modules.begin(), modules.end()),
                      modules.end());
        in_modules += !modules.empty();
        ++added;
        om.emplace(cmd.object, std::move(modules));
        object_module_source_[cmd.object] = FactSource::kKbuildCmd;
      }
      if (primary == FactSource::kNone) primary = FactSource::kKbuildCmd;
      Note(absl::StrCat("modules: ", kbuild_->cmd_files, " kbuild .cmd files (",
                        added, " objects, ", in_modules,
                        " of them in built-in modules)"));
    }
  }
  // Single-object modules: the module file `fs/binfmt_elf` is the object
  // fs/binfmt_elf.o when the kernel has such an object.
  std::vector<std::pair<std::string, std::string>> module_files;
  if (modinfo_) {
    module_files = modinfo_->module_files;
  } else if (builtin_) {
    for (const std::string& path : *builtin_) {
      absl::string_view file = path;
      absl::ConsumePrefix(&file, "kernel/");
      absl::ConsumeSuffix(&file, ".ko");
      module_files.emplace_back(ModuleNameFromPath(path), std::string(file));
    }
    std::sort(module_files.begin(), module_files.end());
  }
  if (!module_files.empty()) {
    absl::flat_hash_set<absl::string_view> known_objects;
    for (const ObjectFile& o : c.objects) known_objects.insert(o.path);
    absl::flat_hash_set<std::string> described;
    for (const auto& [object, modules] : om) {
      described.insert(modules.begin(), modules.end());
    }
    if (ranges_) {
      for (const BuiltinRange& r : *ranges_) {
        described.insert(r.modules.begin(), r.modules.end());
      }
    }
    size_t single = 0;
    std::vector<std::string> composite;
    for (const auto& [module, file] : module_files) {
      std::string object = absl::StrCat(file, ".o");
      if (om.contains(object) || described.contains(module)) continue;
      if (known_objects.contains(object)) {
        om[object] = {module};
        object_module_source_[object] = modinfo_
                                            ? FactSource::kModulesBuiltinModinfo
                                            : FactSource::kModulesBuiltinObjs;
        ++single;
      } else {
        composite.push_back(module);
      }
    }
    if (single > 0) {
      if (primary == FactSource::kNone) {
        primary = modinfo_ ? FactSource::kModulesBuiltinModinfo
                           : FactSource::kModulesBuiltinObjs;
      }
      Note(absl::StrCat("modules: ", single,
                        " single-object built-in modules from ",
                        modinfo_ ? modinfo_path_ : builtin_path_));
    }
    if (!composite.empty()) {
      std::sort(composite.begin(), composite.end());
      composite.erase(std::unique(composite.begin(), composite.end()),
                      composite.end());
      std::vector<std::string> shown(
          composite.begin(),
          composite.begin() + std::min(composite.size(), kMaxExamples));
      Warn(absl::StrCat(
          composite.size(),
          " built-in modules are not one object of this kernel and no "
          "modules.builtin.objs, .cmd file or modules.builtin.ranges says "
          "which objects they consist of; their symbols get no [module] (",
          Examples(shown, composite.size()), ")"));
    }
  }
  facts.object_modules_source =
      primary == FactSource::kNone ? FactSource::kModulesBuiltinObjs : primary;
}

void Builder::ModuleRanges(AttributionFacts& facts) {
  if (!ranges_) return;
  absl::flat_hash_map<std::string, std::optional<uint64_t>> anchors;
  for (const BuiltinRange& r : *ranges_) {
    if (!r.anchor.empty()) anchors.emplace(r.anchor, std::nullopt);
  }
  for (const Symbol& s : out_.catalog.symbols) {
    if (s.module_set != kNoModules) continue;
    auto it = anchors.find(s.name);
    if (it != anchors.end() && !it->second) it->second = s.address;
  }
  size_t used = 0;
  std::vector<std::string> missing;
  for (const BuiltinRange& r : *ranges_) {
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
    facts.module_ranges.push_back({base + r.start, base + r.end, r.modules});
    ++used;
  }
  Note(absl::StrCat("modules: ", ranges_path_, " (", used, " ranges)"));
  if (!missing.empty()) {
    Warn(absl::StrCat(ranges_path_, ": ranges of ",
                      absl::StrJoin(missing, ", "),
                      " left out: the anchor symbol is not in the index"));
  }
}

absl::Status Builder::MergeRuntime() {
  Catalog& c = out_.catalog;
  const uint64_t slide = static_cast<uint64_t>(*slide_);
  // KASLR moves the kernel image, not absolute symbols, nor per-CPU ones
  // where .data..percpu is linked at 0 (x86_64): kallsyms prints those at
  // their link-time values (as 'A' since 6.x). Symbols kallsyms lists are
  // placed where it says; the others by their kind.
  uint64_t text_start = ~uint64_t{0};
  for (const Symbol& s : c.symbols) {
    if (IsTextType(s.type)) text_start = std::min(text_start, s.address);
  }
  std::vector<bool> relocate(c.symbols.size());
  absl::flat_hash_map<std::pair<absl::string_view, uint64_t>, uint32_t> index;
  index.reserve(c.symbols.size());
  for (uint32_t i = 0; i < c.symbols.size(); ++i) {
    const Symbol& s = c.symbols[i];
    relocate[i] = s.type != 'A' && s.type != 'a' &&
                  !(symbol_percpu_[i] && s.address < text_start);
    index.try_emplace(std::make_pair(absl::string_view(s.name), s.address), i);
  }
  std::vector<KallsymsEntry> extra;
  std::vector<std::string> examples;
  size_t missing = 0, fixed = 0, retyped = 0;
  for (KallsymsEntry& e : kallsyms_) {
    if (!e.module.empty()) {
      extra.push_back(std::move(e));
      continue;
    }
    auto it = index.find(
        std::make_pair(absl::string_view(e.name), e.address - slide));
    bool moved = it != index.end();
    if (!moved) {
      it = index.find(std::make_pair(absl::string_view(e.name), e.address));
    }
    if (it == index.end()) {
      // Core kallsyms symbols come from the same nm output as System.map:
      // any the vmlinux lacks are kept, and reported.
      if (++missing <= kMaxExamples) {
        examples.push_back(
            absl::StrCat(e.name, " at 0x", absl::Hex(e.address)));
      }
      extra.push_back(std::move(e));
      continue;
    }
    relocate[it->second] = moved;
    fixed += !moved;
    Symbol& s = c.symbols[it->second];
    if (s.type != e.type) {
      s.type = e.type;
      ++retyped;
    }
  }
  index.clear();
  for (uint32_t i = 0; i < c.symbols.size(); ++i) {
    if (relocate[i]) c.symbols[i].address += slide;
  }
  size_t before = c.symbols.size();
  AddEntries(extra, c);
  Note(absl::StrCat(c.symbols.size() - before - missing,
                    " loadable-module symbols from ", kallsyms_path_));
  if (fixed > 0) {
    Note(absl::StrCat(fixed, " symbols stay at their link-time address, as ",
                      kallsyms_path_, " lists them (absolute, per-CPU)"));
  }
  if (retyped > 0) {
    Note(absl::StrCat(retyped, " symbols take their type letter from ",
                      kallsyms_path_));
  }
  if (missing > 0) {
    Warn(absl::StrCat(missing, " core symbols of ", kallsyms_path_,
                      " are not in the ", static_label_,
                      " at the same address; added as they are (",
                      Examples(examples, missing), ")"));
  }
  kallsyms_.clear();
  return absl::OkStatus();
}

absl::StatusOr<BuildOutput> Builder::Run() {
  if (absl::Status s = ResolvePaths(); !s.ok()) return s;
  if (absl::Status s = ReadStaticSymbols(); !s.ok()) return s;
  if (absl::Status s = SetIdentity(); !s.ok()) return s;
  Catalog& c = out_.catalog;

  if (have_static_ && !kallsyms_.empty()) {
    std::vector<StaticName> names = static_label_ == "vmlinux"
                                        ? CoreNames(static_symbols_)
                                        : CoreNames(system_map_);
    absl::StatusOr<int64_t> slide =
        ComputeSlide(kallsyms_, names, static_label_, out_.notes);
    if (!slide.ok()) return slide.status();
    slide_ = *slide;
  }
  if (static_label_ == "vmlinux") {
    c.symbols = std::move(static_symbols_);
    fact_shift_ = 0;
    merge_runtime_ = slide_.has_value();
  } else if (!kallsyms_.empty()) {
    // kallsyms (with System.map for the KASLR offset, if given) is the
    // symbol list; static facts move by the slide.
    AddEntries(kallsyms_, c);
    kallsyms_.clear();
    fact_shift_ = slide_;
  } else {
    c.symbols = SymbolsFromEntries(std::move(system_map_));
    fact_shift_ = 0;
    Note(absl::StrCat("symbols: ", c.symbols.size(), " from ", system_map_path_,
                      " (sizes inferred)"));
  }
  system_map_.clear();

  AttributionFacts object_facts;
  if (absl::Status s = ObjectFacts(object_facts.object_ranges); !s.ok()) {
    return s;
  }
  Progress("attributing objects");
  AttributionStats object_stats = Attribute(object_facts, c);
  object_facts = AttributionFacts();
  CrossCheckFileGroups(object_stats);
  symbol_file_.clear();
  symbol_file_.shrink_to_fit();

  if (absl::Status s = ModuleFiles(); !s.ok()) return s;
  AttributionFacts module_facts;
  ObjectModules(module_facts);
  ModuleRanges(module_facts);
  Progress("attributing modules");
  AttributionStats stats = Attribute(module_facts, c);
  stats.object_from = object_stats.object_from;
  stats.kept_objects = object_stats.kept_objects;
  // Attribute() counts every symbol of a listed object under one source;
  // split them by the file that listed the object.
  if (!object_module_source_.empty()) {
    size_t& primary = stats.module_from[static_cast<size_t>(
        module_facts.object_modules_source)];
    std::vector<int> object_source(c.objects.size(), -1);
    for (uint32_t i = 0; i < c.objects.size(); ++i) {
      auto it = object_module_source_.find(c.objects[i].path);
      if (it != object_module_source_.end()) {
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

  if (merge_runtime_) {
    if (absl::Status s = MergeRuntime(); !s.ok()) return s;
  }
  c.identity.address_space =
      kallsyms_path_.empty() ? AddressSpace::kStatic : AddressSpace::kRuntime;
  c.identity.kaslr_offset = slide_.value_or(0);
  Progress("sorting");
  c.FinalizeSizes();
  DropRepeats(c);
  Progress("disambiguating");
  out_.report = Disambiguate(c);
  Recount(c, stats);
  out_.attribution = stats;
  return std::move(out_);
}

}  // namespace

absl::StatusOr<BuildOutput> BuildFromEntries(
    std::vector<KallsymsEntry> kallsyms, std::vector<KallsymsEntry> system_map,
    KernelIdentity identity) {
  BuildOutput out;
  out.catalog.identity = std::move(identity);
  Catalog& c = out.catalog;
  if (!kallsyms.empty() && !system_map.empty()) {
    absl::StatusOr<int64_t> slide =
        ComputeSlide(kallsyms, CoreNames(system_map), "System.map", out.notes);
    if (!slide.ok()) return slide.status();
    c.identity.kaslr_offset = *slide;
    c.identity.address_space = AddressSpace::kRuntime;
    AddEntries(kallsyms, c);
  } else if (!kallsyms.empty()) {
    c.identity.address_space = AddressSpace::kRuntime;
    AddEntries(kallsyms, c);
  } else {
    c.identity.address_space = AddressSpace::kStatic;
    AddEntries(system_map, c);
  }
  c.FinalizeSizes();
  DropRepeats(c);
  out.report = Disambiguate(c);
  Recount(c, out.attribution);
  return out;
}

absl::StatusOr<BuildOutput> BuildCatalog(const BuildInputs& inputs,
                                         const ProgressFn& progress) {
  Builder builder(inputs, progress);
  return builder.Run();
}

}  // namespace ksym
