// Identity of the kernel this process runs on: release and machine from
// uname(2), build-id from the NT_GNU_BUILD_ID note in /sys/kernel/notes.
//
//   absl::StatusOr<std::string> id = ParseBuildIdNote(notes_bytes);
#ifndef KSYM_SYMBOLIZER_RUNNING_KERNEL_IDENTITY_H_
#define KSYM_SYMBOLIZER_RUNNING_KERNEL_IDENTITY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "symbolizer/catalog/catalog.h"

namespace ksym {

// Finds the GNU build-id in a sequence of ELF notes (Elf_Nhdr: u32 namesz,
// u32 descsz, u32 type, name and desc each padded to 4 bytes), as
// /sys/kernel/notes holds them. Returns lowercase hex; NotFound when absent,
// InvalidArgument when a note runs past the end.
absl::StatusOr<std::string> ParseBuildIdNote(absl::string_view notes,
                                             absl::string_view filename);

// Release, arch and (when /sys/kernel/notes is readable) build-id of the
// running kernel; address space runtime.
KernelIdentity RunningKernelIdentity();

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_RUNNING_KERNEL_IDENTITY_H_
