// The vmcoreinfo of a crash dump, from the file a user names: an ELF core
// (/proc/vmcore in a kdump kernel, a vmcore saved from it, /proc/kcore),
// whose PT_NOTE segments hold a note named "VMCOREINFO", or the same text
// saved alone (`makedumpfile -g FILE`). A dump of many GB is not read:
// libelf maps it and only the note segments are touched.
//
//   absl::StatusOr<Vmcoreinfo> v = ReadVmcoreinfo("/var/crash/vmcore");
#ifndef KSYM_SYMBOLIZER_SOURCES_ELF_VMCORE_NOTE_H_
#define KSYM_SYMBOLIZER_SOURCES_ELF_VMCORE_NOTE_H_

#include <libelf.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/sources/vmcoreinfo.h"

namespace ksym {

// The VMCOREINFO note's text in the ELF core `elf`. NotFound when no note
// segment holds one (e.g. an ELF that is not a kernel's core);
// InvalidArgument for a note segment libelf cannot read or one larger than
// any kernel writes.
absl::StatusOr<std::string> VmcoreinfoNoteText(Elf* elf,
                                               absl::string_view path);

// The parsed vmcoreinfo of an ELF core held in `bytes` (tests, fuzzing).
absl::StatusOr<Vmcoreinfo> ParseVmcoreinfoCore(absl::string_view bytes,
                                               absl::string_view path);

// PATH as an ELF core (by its magic) or as vmcoreinfo text, parsed.
absl::StatusOr<Vmcoreinfo> ReadVmcoreinfo(const std::string& path);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_SOURCES_ELF_VMCORE_NOTE_H_
