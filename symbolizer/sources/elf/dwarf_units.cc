#include "symbolizer/sources/elf/dwarf_units.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <libelf.h>

#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "symbolizer/sources/elf/elf_handle.h"

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

absl::Status LibdwError(absl::string_view path, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": ", what, ": ", dwarf_errmsg(-1)));
}

absl::Status LibdwflError(absl::string_view path, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": ", what, ": ", dwfl_errmsg(-1)));
}

absl::Status NoDebugInfo(absl::string_view path) {
  return absl::FailedPreconditionError(absl::StrCat(
      path,
      ": no DWARF debug info (stripped?); use the -dbg package's vmlinux"));
}

struct ElfFacts {
  bool relocatable = false;       // ET_REL: debug sections need relocating
  bool compressed_debug = false;  // some SHF_COMPRESSED section
};

// Checks the header and section table before libdw does, so a missing
// .debug_info gets its own message.
absl::StatusOr<ElfFacts> InspectElf(Elf* elf, absl::string_view path) {
  absl::StatusOr<GElf_Ehdr> ehdr = ReadElfHeader(elf, path);
  if (!ehdr.ok()) return ehdr.status();
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0) {
    return LibelfError(path, "finding the section name table");
  }
  bool has_info = false;
  ElfFacts facts;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr;
       scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr) {
      return LibelfError(path, "reading a section header");
    }
    const char* name = elf_strptr(elf, shstrndx, shdr.sh_name);
    if (name != nullptr && shdr.sh_type != SHT_NOBITS &&
        (strcmp(name, ".debug_info") == 0 ||
         strcmp(name, ".zdebug_info") == 0)) {
      has_info = true;
    }
    if (shdr.sh_flags & SHF_COMPRESSED) facts.compressed_debug = true;
  }
  if (!has_info) return NoDebugInfo(path);
  facts.relocatable = ehdr->e_type == ET_REL;
  return facts;
}

// libdw stops quietly at a unit whose length runs past the end of
// .debug_info, which would drop every later unit: walk the unit headers and
// make that an error.
absl::Status CheckUnitLengths(Dwarf* dwarf, absl::string_view path) {
  Elf* elf = dwarf_getelf(dwarf);
  size_t shstrndx = 0;
  if (elf == nullptr || elf_getshdrstrndx(elf, &shstrndx) != 0) {
    return LibelfError(path, "finding the section name table");
  }
  uint64_t size = 0;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr;
       scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr) continue;
    const char* name = elf_strptr(elf, shstrndx, shdr.sh_name);
    if (name == nullptr || strcmp(name, ".debug_info") != 0) continue;
    // The data, not the header: libdw has inflated compressed sections.
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr) return LibelfError(path, "reading .debug_info");
    size = data->d_size;
  }
  Dwarf_Off offset = 0;
  Dwarf_Off next = 0;
  size_t header_size = 0;
  while (offset < size &&
         dwarf_next_unit(dwarf, offset, &next, &header_size, nullptr, nullptr,
                         nullptr, nullptr, nullptr, nullptr) == 0) {
    if (next > size) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s: unit at 0x%x runs past the end of .debug_info (ends at 0x%x, "
          "expected at most 0x%x)",
          path, offset, next, size));
    }
    offset = next;
  }
  return absl::OkStatus();
}

// Appends every compile/skeleton unit of `dwarf`. With `module` set (a
// relocatable file laid out by libdwfl), addresses are turned back into
// section-relative offsets.
absl::Status CollectUnits(Dwarf* dwarf, Dwfl_Module* module, Dwarf_Addr bias,
                          absl::string_view path,
                          std::vector<DwarfUnit>* units) {
  if (absl::Status s = CheckUnitLengths(dwarf, path); !s.ok()) return s;
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
      if (module == nullptr) {
        unit.ranges.emplace_back(start + bias, end + bias);
        continue;
      }
      Dwarf_Addr relative = start + bias;
      int index = dwfl_module_relocate_address(module, &relative);
      const char* section =
          index < 0 ? nullptr
                    : dwfl_module_relocation_info(module, index, nullptr);
      if (section == nullptr) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "%s: unit at 0x%x (%s): range 0x%x-0x%x lies in no section", path,
            unit.offset, unit.name, start, end));
      }
      unit.ranges.emplace_back(relative, relative + (end - start));
      unit.range_sections.emplace_back(section);
    }
    if (offset < 0) {
      return LibdwError(path, absl::StrFormat("unit at 0x%x (%s): ranges",
                                              unit.offset, unit.name));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<DwarfUnits> ReadLinked(Elf* elf, absl::string_view path) {
  // libdw leaves .rela.debug_* alone, which is right for a linked vmlinux:
  // its --emit-relocs copies are already applied.
  std::unique_ptr<Dwarf, int (*)(Dwarf*)> dwarf(
      dwarf_begin_elf(elf, DWARF_C_READ, nullptr), dwarf_end);
  if (dwarf == nullptr) return LibdwError(path, "opening DWARF");
  DwarfUnits result;
  absl::Status status =
      CollectUnits(dwarf.get(), nullptr, 0, path, &result.units);
  if (!status.ok()) return status;
  result.source_prefix = AssignObjectPaths(&result.units);
  return result;
}

int NoSeparateDebuginfo(Dwfl_Module*, void**, const char*, Dwarf_Addr,
                        const char*, const char*, GElf_Word, char**) {
  return -1;
}

// Everything is in the one file: never search for separate debug files.
Dwfl_Callbacks OfflineCallbacks() {
  Dwfl_Callbacks callbacks = {};
  callbacks.find_debuginfo = NoSeparateDebuginfo;
  callbacks.section_address = dwfl_offline_section_address;
  return callbacks;
}

// libdwfl lays out the sections of a relocatable file and applies the
// relocations of its debug sections (without them every string offset and
// address in a .ko's .debug_info reads as 0).
absl::StatusOr<DwarfUnits> ReadRelocatable(
    absl::string_view path, const std::function<Dwfl_Module*(Dwfl*)>& report) {
  // libdwfl keeps the pointer.
  static const Dwfl_Callbacks callbacks = OfflineCallbacks();
  std::unique_ptr<Dwfl, void (*)(Dwfl*)> dwfl(dwfl_begin(&callbacks), dwfl_end);
  if (dwfl == nullptr) return LibdwflError(path, "starting libdwfl");
  dwfl_report_begin(dwfl.get());
  Dwfl_Module* module = report(dwfl.get());
  if (module == nullptr) return LibdwflError(path, "reporting the module");
  if (dwfl_report_end(dwfl.get(), nullptr, nullptr) != 0) {
    return LibdwflError(path, "reporting the module");
  }
  Dwarf_Addr bias = 0;
  Dwarf* dwarf = dwfl_module_getdwarf(module, &bias);
  if (dwarf == nullptr) return LibdwflError(path, "reading DWARF");
  if (dwfl_module_relocations(module) < 0) {
    return LibdwflError(path, "listing sections");
  }
  DwarfUnits result;
  result.relocatable = true;
  absl::Status status = CollectUnits(dwarf, module, bias, path, &result.units);
  if (!status.ok()) return status;
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

absl::StatusOr<DwarfUnits> ParseDwarfUnits(absl::string_view bytes,
                                           absl::string_view path) {
  absl::StatusOr<ElfFacts> facts;
  {
    ElfHandle elf = ElfHandle::OverMemory(bytes);
    facts = InspectElf(elf.get(), path);
    if (!facts.ok()) return facts.status();
    if (!facts->relocatable && !facts->compressed_debug) {
      return ReadLinked(elf.get(), path);
    }
  }
  // Over caller memory libelf edits headers in place: libdwfl writes the
  // layout and the relocations into the image, and decompressing a section
  // rewrites its header. Work on a copy.
  std::string copy(bytes);
  if (!facts->relocatable) {
    ElfHandle elf = ElfHandle::OverMemory(copy);
    return ReadLinked(elf.get(), path);
  }
  std::string name(path);
  return ReadRelocatable(path, [&](Dwfl* dwfl) {
    return dwfl_report_offline_memory(dwfl, name.c_str(), name.c_str(),
                                      copy.data(), copy.size());
  });
}

absl::StatusOr<DwarfUnits> ReadDwarfUnitsFile(const std::string& path) {
  absl::StatusOr<ElfHandle> elf = ElfHandle::OpenFile(path);
  if (!elf.ok()) return elf.status();
  // ELF_C_READ_MMAP copies what libelf changes, so decompressing is safe.
  absl::StatusOr<ElfFacts> facts = InspectElf(elf->get(), path);
  if (!facts.ok()) return facts.status();
  if (!facts->relocatable) return ReadLinked(elf->get(), path);
  // libdwfl maps the file itself, privately, so relocating never writes it.
  return ReadRelocatable(path, [&](Dwfl* dwfl) {
    return dwfl_report_offline(dwfl, path.c_str(), path.c_str(), -1);
  });
}

}  // namespace ksym
