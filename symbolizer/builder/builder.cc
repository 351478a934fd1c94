#include "symbolizer/builder/builder.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "symbolizer/builder/running_kernel.h"
#include "symbolizer/sources/file_reader.h"

namespace ksym {
namespace {

// Anchors for the KASLR slide, in order of preference.
constexpr const char* kAnchors[] = {"_text", "_stext", "startup_64"};

std::optional<uint64_t> AddressOf(const std::vector<KallsymsEntry>& entries,
                                  absl::string_view name) {
  for (const KallsymsEntry& e : entries) {
    if (e.name == name && e.module.empty()) return e.address;
  }
  return std::nullopt;
}

void AddEntries(std::vector<KallsymsEntry> entries, Catalog& catalog,
                int64_t slide) {
  absl::flat_hash_map<std::string, uint32_t> module_sets;
  catalog.symbols.reserve(catalog.symbols.size() + entries.size());
  for (KallsymsEntry& e : entries) {
    Symbol s;
    s.address = e.address + static_cast<uint64_t>(slide);
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

}  // namespace

absl::StatusOr<BuildOutput> BuildFromEntries(
    std::vector<KallsymsEntry> kallsyms, std::vector<KallsymsEntry> system_map,
    KernelIdentity identity) {
  BuildOutput out;
  out.catalog.identity = std::move(identity);
  Catalog& c = out.catalog;
  if (!kallsyms.empty() && !system_map.empty()) {
    // Same kernel? The static and runtime addresses of every core symbol
    // differ by one KASLR slide.
    std::optional<int64_t> slide;
    for (const char* anchor : kAnchors) {
      std::optional<uint64_t> run = AddressOf(kallsyms, anchor);
      std::optional<uint64_t> stat = AddressOf(system_map, anchor);
      if (run && stat) {
        slide = static_cast<int64_t>(*run - *stat);
        out.notes.push_back(absl::StrCat("KASLR offset 0x",
                                         absl::Hex(*run - *stat), " (from ",
                                         anchor, ")"));
        break;
      }
    }
    if (!slide) {
      return absl::InvalidArgumentError(
          "kallsyms and System.map share none of _text, _stext, startup_64: "
          "cannot compute the KASLR offset");
    }
    // Only names that occur once can be compared.
    absl::flat_hash_map<absl::string_view, uint64_t> static_of;
    absl::flat_hash_set<absl::string_view> repeated;
    for (const KallsymsEntry& e : system_map) {
      if (!static_of.emplace(e.name, e.address).second) repeated.insert(e.name);
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
          example = absl::StrCat(e.name, " is at 0x", absl::Hex(e.address),
                                 ", System.map says 0x",
                                 absl::Hex(it->second));
        }
      }
    }
    // Duplicated names can legitimately map differently; a real mismatch
    // moves nearly everything.
    if (compared == 0 || mismatched * 10 > compared) {
      return absl::FailedPreconditionError(absl::StrCat(
          "System.map does not match kallsyms: ", mismatched, " of ",
          compared, " text symbols disagree after the KASLR offset (",
          example, "); is it the System.map of the running kernel?"));
    }
    c.identity.kaslr_offset = *slide;
    c.identity.address_space = AddressSpace::kRuntime;
    AddEntries(std::move(kallsyms), c, 0);
  } else if (!kallsyms.empty()) {
    c.identity.address_space = AddressSpace::kRuntime;
    AddEntries(std::move(kallsyms), c, 0);
  } else {
    c.identity.address_space = AddressSpace::kStatic;
    AddEntries(std::move(system_map), c, 0);
  }
  c.FinalizeSizes();
  DropRepeats(c);
  out.report = Disambiguate(c);
  return out;
}

absl::StatusOr<BuildOutput> BuildCatalog(const BuildInputs& inputs,
                                         const ProgressFn& progress) {
  BuildInputs in = inputs;
  KernelIdentity identity = in.identity;
  if (in.kallsyms_path.empty() && in.system_map_path.empty()) {
    in.kallsyms_path = "/proc/kallsyms";
  }
  if (!in.identity_given && in.kallsyms_path == "/proc/kallsyms") {
    identity = RunningKernelIdentity();
  }
  auto report = [&](uint64_t done, uint64_t total, absl::string_view what) {
    if (progress) progress(done, total, what);
  };
  std::vector<KallsymsEntry> kallsyms, system_map;
  if (!in.kallsyms_path.empty()) {
    report(0, 0, absl::StrCat("reading ", in.kallsyms_path));
    absl::StatusOr<std::string> text = ReadFileToString(in.kallsyms_path);
    if (!text.ok()) return text.status();
    absl::StatusOr<std::vector<KallsymsEntry>> e =
        ParseKallsyms(*text, in.kallsyms_path);
    if (!e.ok()) return e.status();
    kallsyms = *std::move(e);
  }
  if (!in.system_map_path.empty()) {
    report(0, 0, absl::StrCat("reading ", in.system_map_path));
    absl::StatusOr<std::string> text = ReadFileToString(in.system_map_path);
    if (!text.ok()) return text.status();
    absl::StatusOr<std::vector<KallsymsEntry>> e =
        ParseSystemMap(*text, in.system_map_path);
    if (!e.ok()) return e.status();
    system_map = *std::move(e);
  }
  report(0, 0, "building");
  return BuildFromEntries(std::move(kallsyms), std::move(system_map),
                          std::move(identity));
}

}  // namespace ksym
