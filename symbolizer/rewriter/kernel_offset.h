// The KASLR offset an oops states. On panic the kernel ends its report with
// (x86 arch/x86/kernel/setup.c, arm64 arch/arm64/kernel/setup.c
// dump_kernel_offset), behind whatever prefix dmesg or the console adds:
//
//   [  12.345678] Kernel Offset: 0x2a400000 from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)
//   Kernel Offset: 0x4a3a0000 from 0xffff800008000000
//   Kernel Offset: disabled
//
// "from" is the link-time base the image moved from. A trace read against a
// static (vmlinux) index subtracts the offset from every printed address.
//
//   std::optional<KernelOffsetLine> k = ParseKernelOffsetLine(line);
//   if (k) rewriter.set_kaslr_offset(k->offset);  // 0 when disabled
#ifndef KSYM_SYMBOLIZER_REWRITER_KERNEL_OFFSET_H_
#define KSYM_SYMBOLIZER_REWRITER_KERNEL_OFFSET_H_

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"

namespace ksym {

struct KernelOffsetLine {
  uint64_t offset = 0;  // 0 when "disabled"
  uint64_t from = 0;    // the link-time base; 0 when "disabled"
  bool disabled = false;
};

// The offset of a "Kernel Offset:" line, nullopt for any other line
// (including one whose numbers do not parse).
std::optional<KernelOffsetLine> ParseKernelOffsetLine(absl::string_view line);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_REWRITER_KERNEL_OFFSET_H_
