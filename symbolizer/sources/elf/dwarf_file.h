// Opens the DWARF of one ELF file for the readers of this package
// (dwarf_units, dwarf_lines): a linked vmlinux directly through libdw; a
// relocatable .ko through libdwfl, which lays its sections out and applies
// the relocations of its debug sections (without them every string offset
// and address in a .ko's .debug_info reads as 0).
//
//   absl::Status s = WithDwarfFile("vmlinux", [&](const DwarfFile& file) {
//     return Walk(file.dwarf);
//   });
#ifndef KSYM_SYMBOLIZER_SOURCES_ELF_DWARF_FILE_H_
#define KSYM_SYMBOLIZER_SOURCES_ELF_DWARF_FILE_H_

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace ksym {

// Valid only during the visitor call.
struct DwarfFile {
  Dwarf* dwarf = nullptr;
  // Relocatable files only: the module libdwfl laid out; DWARF addresses
  // plus `bias` are addresses of that layout.
  Dwfl_Module* module = nullptr;
  Dwarf_Addr bias = 0;
  bool relocatable = false;
  // Linked files only: the ELF `dwarf` reads, for a reader that opens
  // handles of its own over it (dwarf_begin_elf) to free libdw's per-unit
  // caches as it goes.
  Elf* elf = nullptr;
  // The read-only private mapping of the file that `elf` reads
  // (WithDwarfFile), [begin, end); empty over caller memory or when libelf
  // read the file instead of mapping it.
  uintptr_t mapping_begin = 0;
  uintptr_t mapping_end = 0;
  absl::string_view path;  // names the file in messages
};

using DwarfFileVisitor = std::function<absl::Status(const DwarfFile&)>;

// Parses the ELF image in `bytes`, which are never written: a .ko (whose
// debug sections get relocated) or a file with SHF_COMPRESSED debug sections
// is copied first. Errors: not ELF → InvalidArgument `PATH: not an ELF
// file`; no .debug_info → FailedPrecondition `PATH: no DWARF debug info
// (stripped?); use the -dbg package's vmlinux`; a unit running past the end
// of .debug_info or libdw refusing the file → InvalidArgument. Otherwise
// returns what `visit` returns.
absl::Status WithDwarfBytes(absl::string_view bytes, absl::string_view path,
                            const DwarfFileVisitor& visit);

// WithDwarfBytes over bytes the caller gives up for the visit: libelf and
// libdwfl edit them in place (a .ko's relocations, a decompressed section's
// header) instead of in a copy, which for a debug .ko of tens of MB is the
// larger part of the work. A private copy-on-write mapping
// (file_reader.h's MapFileInRoot) or a buffer the caller drops afterwards;
// after the call the bytes are no longer the file's.
absl::Status WithDwarfEditableBytes(absl::Span<char> bytes,
                                    absl::string_view path,
                                    const DwarfFileVisitor& visit);

// Maps the file read-only (a .ko privately, copy-on-write); compressed debug
// sections are inflated into memory. A missing file is NotFound. A path
// under `root` (--root) is opened in the root (ElfHandle::OpenFile).
absl::Status WithDwarfFile(const std::string& path,
                           const DwarfFileVisitor& visit,
                           const std::string& root = "");

// A relocatable file's DWARF address as the section it lies in and the
// offset inside it (".text", 0x40). InvalidArgument when in no section.
struct SectionOffset {
  const char* section = nullptr;  // owned by libdwfl
  uint64_t offset = 0;
};
absl::StatusOr<SectionOffset> ToSectionOffset(const DwarfFile& file,
                                              Dwarf_Addr address);

// Drops the pages of a mapped file's image from the resident set: they are
// read again from the file when next touched, so a reader walking a 600 MB
// vmlinux unit by unit need not keep all it has passed resident. Does
// nothing without a mapping (never touches memory that is not the file's).
void ReleaseMappedPages(const DwarfFile& file);

// InvalidArgument `PATH: WHAT: <libdw's message for its last error>`.
absl::Status LibdwError(absl::string_view path, absl::string_view what);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_SOURCES_ELF_DWARF_FILE_H_
