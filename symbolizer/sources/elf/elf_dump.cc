// Prints what the ELF and DWARF sources read from a vmlinux or .ko, with
// timings, to check them against real files and peers (nm, readelf).
//
//   elf_dump vmlinux            counts and seconds for .symtab and DWARF units
//   elf_dump --symtab vmlinux   only .symtab (--dwarf: only DWARF), with RSS
//   elf_dump --nm vmlinux       symbols as `nm` prints them (diff with nm)
//   elf_dump --units vmlinux    one line per unit: offset, object, the
//                               sizes of its license records, ranges
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "symbolizer/sources/elf/dwarf_units.h"
#include "symbolizer/sources/elf/elf_symtab.h"

namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

// Peak and current resident memory, split into anonymous and file pages
// (the mapped ELF file counts as file pages).
std::string Memory() {
  std::ifstream status("/proc/self/status");
  std::string line;
  std::string out;
  while (std::getline(status, line)) {
    if (absl::StartsWith(line, "VmHWM:") ||
        absl::StartsWith(line, "RssAnon:") ||
        absl::StartsWith(line, "RssFile:")) {
      absl::StrAppend(&out, out.empty() ? "" : ", ", line);
    }
  }
  return out;
}

int PrintNm(const std::string& path) {
  absl::StatusOr<ksym::ElfSymbolTable> table = ksym::ReadElfSymtabFile(path);
  if (!table.ok()) {
    absl::FPrintF(stderr, "%s\n", table.status().ToString());
    return 1;
  }
  int width = table->elf_class == 64 ? 16 : 8;
  for (const ksym::ElfSymbol& s : table->symbols) {
    bool undefined = s.nm_type == 'U' || s.nm_type == 'w' || s.nm_type == 'v';
    if (undefined) {
      absl::PrintF("%*s %c %s\n", width, "", s.nm_type, s.name);
    } else {
      absl::PrintF("%0*x %c %s\n", width, s.value, s.nm_type, s.name);
    }
  }
  return 0;
}

int PrintUnits(const std::string& path) {
  ksym::DwarfUnitsOptions options;
  options.license_records = [](absl::string_view) { return true; };
  absl::StatusOr<ksym::DwarfUnits> units =
      ksym::ReadDwarfUnitsFile(path, "", options);
  if (!units.ok()) {
    absl::FPrintF(stderr, "%s\n", units.status().ToString());
    return 1;
  }
  for (const ksym::DwarfUnit& u : units->units) {
    std::string ranges;
    for (size_t i = 0; i < u.ranges.size(); ++i) {
      absl::StrAppendFormat(&ranges, " %s%x-%x",
                            u.range_sections.empty()
                                ? ""
                                : absl::StrCat(u.range_sections[i], "+"),
                            u.ranges[i].first, u.ranges[i].second);
    }
    std::string license;
    if (!u.license_records.empty()) {
      license = absl::StrCat(" license=", absl::StrJoin(u.license_records, ","));
    }
    absl::PrintF("%x v%d %s%s name=%s comp_dir=%s%s%s\n", u.offset, u.version,
                 u.object_path, u.path_unresolved ? " (unresolved)" : "",
                 u.name, u.comp_dir, license, ranges);
  }
  return 0;
}

int PrintSummary(const std::string& path, bool symtab, bool dwarf) {
  auto start = std::chrono::steady_clock::now();
  if (symtab) {
    absl::StatusOr<ksym::ElfSymbolTable> table = ksym::ReadElfSymtabFile(path);
    double symtab_seconds = SecondsSince(start);
    if (!table.ok()) {
      absl::FPrintF(stderr, "%s\n", table.status().ToString());
      return 1;
    }
    absl::flat_hash_map<char, size_t> by_type;
    for (const ksym::ElfSymbol& s : table->symbols) ++by_type[s.nm_type];
    std::string types;
    for (char c : std::string("TtWwDdBbRrVvAaUCiuNn?")) {
      if (by_type.contains(c))
        absl::StrAppendFormat(&types, " %c=%d", c, by_type[c]);
    }
    absl::PrintF(
        "symtab: %.3f s, %d symbols, %d STT_FILE groups, arch %s, ELF%d, %s, "
        "build-id %s%s\n  types:%s\n",
        symtab_seconds, table->symbols.size(), table->files.size(), table->arch,
        table->elf_class, table->relocatable ? "ET_REL" : "linked",
        table->build_id.empty() ? "(none)" : table->build_id,
        table->relocatable ? absl::StrCat(", module ", table->module_name) : "",
        types);
  }
  if (!dwarf) {
    absl::PrintF("  %s\n", Memory());
    return 0;
  }

  start = std::chrono::steady_clock::now();
  absl::StatusOr<ksym::DwarfUnits> units = ksym::ReadDwarfUnitsFile(path);
  double dwarf_seconds = SecondsSince(start);
  if (!units.ok()) {
    absl::FPrintF(stderr, "%s\n", units.status().ToString());
    return 1;
  }
  size_t ranges = 0;
  size_t unresolved = 0;
  size_t empty = 0;
  for (const ksym::DwarfUnit& u : units->units) {
    ranges += u.ranges.size();
    unresolved += u.path_unresolved;
    empty += u.ranges.empty();
  }
  absl::PrintF(
      "dwarf: %.3f s, %d units (%d without code, %d unresolved paths), %d "
      "ranges, source prefix \"%s\"\n",
      dwarf_seconds, units->units.size(), empty, unresolved, ranges,
      units->source_prefix);
  absl::PrintF("  %s\n", Memory());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--nm") return PrintNm(argv[2]);
  if (argc == 3 && std::string(argv[1]) == "--units") {
    return PrintUnits(argv[2]);
  }
  if (argc == 3 && std::string(argv[1]) == "--symtab") {
    return PrintSummary(argv[2], true, false);
  }
  if (argc == 3 && std::string(argv[1]) == "--dwarf") {
    return PrintSummary(argv[2], false, true);
  }
  if (argc == 2) return PrintSummary(argv[1], true, true);
  absl::FPrintF(stderr,
                "usage: elf_dump [--nm|--units|--symtab|--dwarf] FILE\n");
  return 2;
}
