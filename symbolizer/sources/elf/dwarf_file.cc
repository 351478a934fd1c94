#include "symbolizer/sources/elf/dwarf_file.h"

#include <dwarf.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "symbolizer/sources/elf/elf_handle.h"

namespace ksym {
namespace {

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

// The read-only private file mapping that holds .debug_info's raw bytes,
// found in /proc/self/maps; {0, 0} if there is none (libelf reads a file it
// cannot map into memory it allocates, which must never be dropped). Call
// before libdw inflates compressed sections (their data then moves).
std::pair<uintptr_t, uintptr_t> FindFileMapping(Elf* elf) {
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0) return {0, 0};
  uintptr_t bytes = 0;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr;
       scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr) continue;
    const char* name = elf_strptr(elf, shstrndx, shdr.sh_name);
    if (name == nullptr || strcmp(name, ".debug_info") != 0) continue;
    Elf_Data* data = elf_rawdata(scn, nullptr);
    if (data != nullptr && data->d_size > 0) {
      bytes = reinterpret_cast<uintptr_t>(data->d_buf);
    }
  }
  if (bytes == 0) return {0, 0};
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    // "START-END PERMS OFFSET DEV INODE PATH"
    std::vector<absl::string_view> f =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (f.size() < 6) continue;
    std::vector<absl::string_view> range = absl::StrSplit(f[0], '-');
    uint64_t begin = 0, end = 0;
    if (range.size() != 2 || !absl::SimpleHexAtoi(range[0], &begin) ||
        !absl::SimpleHexAtoi(range[1], &end) || bytes < begin || bytes >= end) {
      continue;
    }
    if (f[1] != "r--p" || f[4] == "0") return {0, 0};
    return {begin, end};
  }
  return {0, 0};
}

absl::Status VisitLinked(Elf* elf, absl::string_view path, bool mapped_file,
                         const DwarfFileVisitor& visit) {
  std::pair<uintptr_t, uintptr_t> mapping =
      mapped_file ? FindFileMapping(elf)
                  : std::make_pair(uintptr_t{0}, uintptr_t{0});
  // libdw leaves .rela.debug_* alone, which is right for a linked vmlinux:
  // its --emit-relocs copies are already applied.
  std::unique_ptr<Dwarf, int (*)(Dwarf*)> dwarf(
      dwarf_begin_elf(elf, DWARF_C_READ, nullptr), dwarf_end);
  if (dwarf == nullptr) return LibdwError(path, "opening DWARF");
  if (absl::Status s = CheckUnitLengths(dwarf.get(), path); !s.ok()) return s;
  DwarfFile file;
  file.dwarf = dwarf.get();
  file.elf = elf;
  file.mapping_begin = mapping.first;
  file.mapping_end = mapping.second;
  file.path = path;
  return visit(file);
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

absl::Status VisitRelocatable(absl::string_view path,
                              const std::function<Dwfl_Module*(Dwfl*)>& report,
                              const DwarfFileVisitor& visit) {
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
  DwarfFile file;
  file.dwarf = dwfl_module_getdwarf(module, &file.bias);
  if (file.dwarf == nullptr) return LibdwflError(path, "reading DWARF");
  if (dwfl_module_relocations(module) < 0) {
    return LibdwflError(path, "listing sections");
  }
  if (absl::Status s = CheckUnitLengths(file.dwarf, path); !s.ok()) return s;
  file.module = module;
  file.relocatable = true;
  file.path = path;
  return visit(file);
}

}  // namespace

absl::Status LibdwError(absl::string_view path, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": ", what, ": ", dwarf_errmsg(-1)));
}

namespace {

// The facts of the ELF image in `bytes`, or the status of a visit that
// needed no edits (a linked file without compressed sections, read in
// place).
absl::StatusOr<ElfFacts> InspectOrVisitInPlace(absl::string_view bytes,
                                               absl::string_view path,
                                               const DwarfFileVisitor& visit,
                                               absl::Status& visited) {
  ElfHandle elf = ElfHandle::OverMemory(bytes);
  absl::StatusOr<ElfFacts> facts = InspectElf(elf.get(), path);
  if (facts.ok() && !facts->relocatable && !facts->compressed_debug) {
    visited = VisitLinked(elf.get(), path, false, visit);
  }
  return facts;
}

// Visits the image in `bytes`, which libelf and libdwfl edit: libdwfl
// writes the layout and the relocations into the image, and decompressing
// a section rewrites its header.
absl::Status VisitEditable(absl::Span<char> bytes, const ElfFacts& facts,
                           absl::string_view path,
                           const DwarfFileVisitor& visit) {
  if (!facts.relocatable) {
    ElfHandle elf =
        ElfHandle::OverMemory(absl::string_view(bytes.data(), bytes.size()));
    return VisitLinked(elf.get(), path, false, visit);
  }
  std::string name(path);
  return VisitRelocatable(
      path,
      [&](Dwfl* dwfl) {
        return dwfl_report_offline_memory(dwfl, name.c_str(), name.c_str(),
                                          bytes.data(), bytes.size());
      },
      visit);
}

}  // namespace

absl::Status WithDwarfBytes(absl::string_view bytes, absl::string_view path,
                            const DwarfFileVisitor& visit) {
  absl::Status visited = absl::UnknownError("not visited");
  absl::StatusOr<ElfFacts> facts =
      InspectOrVisitInPlace(bytes, path, visit, visited);
  if (!facts.ok()) return facts.status();
  if (!facts->relocatable && !facts->compressed_debug) return visited;
  // Over caller memory libelf edits headers in place: work on a copy.
  std::string copy(bytes);
  return VisitEditable(absl::MakeSpan(copy), *facts, path, visit);
}

absl::Status WithDwarfEditableBytes(absl::Span<char> bytes,
                                    absl::string_view path,
                                    const DwarfFileVisitor& visit) {
  absl::Status visited = absl::UnknownError("not visited");
  absl::StatusOr<ElfFacts> facts = InspectOrVisitInPlace(
      absl::string_view(bytes.data(), bytes.size()), path, visit, visited);
  if (!facts.ok()) return facts.status();
  if (!facts->relocatable && !facts->compressed_debug) return visited;
  return VisitEditable(bytes, *facts, path, visit);
}

absl::Status WithDwarfFile(const std::string& path,
                           const DwarfFileVisitor& visit,
                           const std::string& root) {
  absl::StatusOr<ElfHandle> elf = ElfHandle::OpenFile(path, root);
  if (!elf.ok()) return elf.status();
  // ELF_C_READ_MMAP copies what libelf changes, so decompressing is safe.
  absl::StatusOr<ElfFacts> facts = InspectElf(elf->get(), path);
  if (!facts.ok()) return facts.status();
  // libelf maps the file PROT_READ, MAP_PRIVATE: its pages can be dropped
  // and read again.
  if (!facts->relocatable) return VisitLinked(elf->get(), path, true, visit);
  // libdwfl maps the file itself, privately, so relocating never writes it.
  return VisitRelocatable(
      path,
      [&](Dwfl* dwfl) {
        return dwfl_report_offline(dwfl, path.c_str(), path.c_str(), -1);
      },
      visit);
}

void ReleaseMappedPages(const DwarfFile& file) {
  if (file.mapping_begin >= file.mapping_end) return;
  // Best effort: a failure only leaves the pages resident. The mapping is
  // PROT_READ and MAP_PRIVATE, so no page of it differs from the file.
  madvise(reinterpret_cast<void*>(file.mapping_begin),
          file.mapping_end - file.mapping_begin, MADV_DONTNEED);
}

absl::StatusOr<SectionOffset> ToSectionOffset(const DwarfFile& file,
                                              Dwarf_Addr address) {
  Dwarf_Addr relative = address + file.bias;
  int index = dwfl_module_relocate_address(file.module, &relative);
  const char* section =
      index < 0 ? nullptr
                : dwfl_module_relocation_info(file.module, index, nullptr);
  if (section == nullptr) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: address 0x%x lies in no section", file.path, address));
  }
  return SectionOffset{section, relative};
}

}  // namespace ksym
