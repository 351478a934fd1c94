// The kernel's vmcoreinfo: the "KEY=VALUE" lines a kernel writes for crash
// tools (kernel/vmcore_info.c and each arch's arch_crash_save_vmcoreinfo),
// found in the VMCOREINFO note of a crash dump (/proc/vmcore, a saved
// vmcore, /proc/kcore) or saved as text (`makedumpfile -g FILE`). ksym
// reads what places a dump's addresses in an index: which kernel it is and
// where KASLR put it.
//
//   OSRELEASE=6.1.0-28-cloud-amd64
//   BUILD-ID=5e5ab4c3...            (20 bytes, %20phN)
//   SYMBOL(_stext)=ffffffffaa400000 (runtime address, hex without 0x)
//   KERNELOFFSET=29400000           (x86, arm64, s390: kaslr_offset())
//   NUMBER(kimage_voffset)=0xffff7fff47e00000   (arm64 only)
//
//   absl::StatusOr<Vmcoreinfo> v = ParseVmcoreinfo(text, "vmcore");
#ifndef KSYM_SYMBOLIZER_SOURCES_VMCOREINFO_H_
#define KSYM_SYMBOLIZER_SOURCES_VMCOREINFO_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ksym {

struct Vmcoreinfo {
  std::string osrelease;  // "" when absent
  std::string build_id;   // lowercase hex, "" when absent (before 5.9)
  std::optional<uint64_t> kernel_offset;  // KERNELOFFSET
  std::optional<uint64_t> stext;          // SYMBOL(_stext), runtime
  // arm64's virtual-to-physical offset of the kernel image. Not a KASLR
  // offset (it moves with the physical load address too); kept to show.
  std::optional<uint64_t> kimage_voffset;
};

// The vmcoreinfo a kernel writes is at most a page (VMCOREINFO_BYTES).
inline constexpr size_t kMaxVmcoreinfoBytes = size_t{64} << 10;

// Parses the lines of `text`; keys ksym does not use are skipped. Errors
// (InvalidArgument) name `source`, the line and what was expected: a value
// that is not what the kernel prints for a key ksym reads, a key given
// twice, a line without '=', a NUL or control byte, text over
// kMaxVmcoreinfoBytes, or no OSRELEASE (every kernel writes it first).
absl::StatusOr<Vmcoreinfo> ParseVmcoreinfo(absl::string_view text,
                                           absl::string_view source);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_SOURCES_VMCOREINFO_H_
