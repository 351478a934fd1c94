#include "symbolizer/fleet/module_index.h"

#include <elf.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "symbolizer/builder/module_lines.h"
#include "symbolizer/builder/module_symbols.h"
#include "symbolizer/sources/decompress.h"
#include "symbolizer/sources/elf/dwarf_lines.h"
#include "symbolizer/sources/elf/dwarf_units.h"
#include "symbolizer/sources/elf/elf_symtab.h"
#include "symbolizer/sources/file_reader.h"

namespace ksym {
namespace {

// A symbol of the module's resident image: init sections are freed after load.
bool ResidentSymbol(const ElfSymbol& s) {
  return (s.section_flags & SHF_ALLOC) != 0 && s.section_index != 0 &&
         s.section_index < SHN_LORESERVE &&
         !absl::StartsWith(s.section_name, ".init");
}

}  // namespace

absl::StatusOr<Catalog> ModuleCatalog(const std::string& path) {
  absl::StatusOr<std::string> raw = ReadFileToString(path);
  if (!raw.ok()) return raw.status();
  absl::StatusOr<std::string> elf = Decompress(*raw, path);
  if (!elf.ok()) return elf.status();
  raw->clear();
  absl::StatusOr<ElfSymbolTable> symtab = ParseElfSymtab(*elf, path);
  if (!symtab.ok()) return symtab.status();
  if (!symtab->relocatable) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a relocatable ELF file (.ko)"));
  }
  if (symtab->build_id.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": no GNU build-id note: cannot be stored by "
                           "build-id"));
  }
  // Each allocated section's extent, from its symbols.
  struct Extent {
    bool exec = false;
    uint64_t end = 0;
  };
  std::map<std::string, Extent> extents;
  for (const ElfSymbol& s : symtab->symbols) {
    if (!ResidentSymbol(s)) continue;
    Extent& e = extents[s.section_name];
    e.exec = (s.section_flags & SHF_EXECINSTR) != 0;
    e.end = std::max(e.end, s.value + std::max<uint64_t>(s.size, 1));
  }
  std::vector<std::string> order;
  for (const auto& [name, e] : extents) order.push_back(name);
  std::stable_sort(order.begin(), order.end(),
                   [&](const std::string& a, const std::string& b) {
                     return extents[a].exec > extents[b].exec;
                   });
  absl::flat_hash_map<std::string, uint64_t> bases;
  Catalog c;
  uint64_t base = kModuleIndexBase;
  for (const std::string& name : order) {
    bases[name] = base;
    c.sources.push_back({kModuleSectionSource, name, SourceState::kFound,
                         absl::StrFormat("0x%x", base)});
    const uint64_t size = (extents[name].end + 0xfff) & ~uint64_t{0xfff};
    base += size + kSectionSpacing;
  }
  std::optional<DwarfUnits> units;
  if (absl::StatusOr<DwarfUnits> u = ParseDwarfUnits(*elf, path); u.ok()) {
    units = *std::move(u);
  }
  c.sources.insert(c.sources.begin(),
                   {"module", path, SourceState::kFound,
                    units ? "symbols and DWARF objects" : "symbols (no DWARF)"});
  PlacedModule placed = PlaceModuleSymbols(
      *symtab, units ? &*units : nullptr, bases, /*kallsyms=*/{});
  // Its source lines, placed at the same bases (format.h kModuleLines).
  ModuleLinePlacer lines;
  absl::StatusOr<LineTable> t =
      units ? ParseLineTable(*elf, path)
            : absl::FailedPreconditionError("no DWARF (not a debug .ko)");
  if (t.ok()) {
    lines.Add(symtab->module_name, *t, bases);
    c.module_lines = lines.Finish(c.sources);
  } else {
    c.sources.push_back(
        MissingModuleLines(std::string(t.status().message())));
  }
  c.identity.release = symtab->module_name;
  c.identity.build_id = symtab->build_id;
  c.identity.arch = symtab->arch;
  c.identity.address_space = AddressSpace::kStatic;
  c.identity.kaslr_offset = 0;
  const uint32_t set = c.InternModuleSet({symtab->module_name});
  c.loadable_module_sets.insert(set);
  AddPlacedSymbols(set, placed, c);
  c.FinalizeSizes();
  return c;
}

absl::flat_hash_map<std::string, uint64_t> ModuleSectionBases(
    const Symbolizer& index) {
  absl::flat_hash_map<std::string, uint64_t> out;
  for (const IndexReader::Source& s : index.index().sources()) {
    if (s.what != kModuleSectionSource) continue;
    uint64_t base = 0;
    if (absl::StartsWith(s.why, "0x") &&
        absl::SimpleHexAtoi(s.why.substr(2), &base)) {
      out[std::string(s.path)] = base;
    }
  }
  return out;
}

}  // namespace ksym
