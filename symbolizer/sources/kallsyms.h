// Parsers for /proc/kallsyms (live or a saved copy) and System.map.
//
// /proc/kallsyms, printed by the kernel as "%px %c %s" or, for loadable
// modules (and BPF programs, ftrace/kprobe trampolines), "%px %c %s\t[%s]":
//
//   ffffffff81000000 T _text
//   ffffffff81207610 W abort
//   ffffffffc0201000 t ftrace_trampoline	[__builtin__ftrace]
//   ffffffffc0a01000 t ext4_fill_super	[ext4]
//
// System.map, `nm -n vmlinux` filtered by scripts/mksysmap, has no module
// column:
//
//   ffffffff81000000 T _text
//   0000000000000000 D __per_cpu_start
//
// Addresses have 16 hex digits (8 on 32-bit kernels). The parsers take the
// file's bytes; `filename` is used only in error messages.

#ifndef KSYM_SYMBOLIZER_SOURCES_KALLSYMS_H_
#define KSYM_SYMBOLIZER_SOURCES_KALLSYMS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ksym {

struct KallsymsEntry {
  uint64_t address = 0;
  char type = 0;  // nm symbol type: 'T', 't', 'D', 'W', ...
  std::string name;
  std::string module;  // loadable module, without brackets; empty for vmlinux
};

// Whether a kallsyms [mod] is one of the kernel's pseudo-modules rather than
// a loadable module: [__builtin__ftrace] (ftrace trampolines),
// [__builtin__kprobes] (kprobe insn pages), any other [__builtin__*], and
// [bpf] (BPF programs, trampolines, dispatchers). They come and go while
// the system runs and are not in /proc/modules, so they never enter an
// index nor its freshness key; their addresses are answered live.
bool IsPseudoModule(absl::string_view module);

// Whether the kernel's own kallsyms (scripts/kallsyms.c, scripts/mksysmap)
// leaves a System.map/ELF symbol out: mapping symbols ($x, $d), assembler
// locals (.L*), those of the prefixed arm64 nVHE KVM objects
// (__kvm_nvhe_$x, __kvm_nvhe_.L14472), every symbol of the arm64 EFI stub
// (__efistub_*: 6.1's System.map lists them, its kallsyms does not),
// linker thunks, KCFI type ids. ParseSystemMap skips such lines, even with
// bytes it refuses elsewhere (the \x02 of nVHE local labels);
// ParseKallsyms skips those with such bytes (an arm64 module's
// ".L14472\x02" "1", which /proc/kallsyms shows and %pS never names).
bool IsIgnoredByKallsyms(absl::string_view name);

// Parses /proc/kallsyms text. Symbol types must be letters: the kernel
// prints nm's letter for vmlinux symbols and a letter from elf_type() for
// module symbols. Empty lines are skipped; the last line may lack '\n'.
//
// Errors: InvalidArgument "FILE:LINE: ..." for a malformed line (including
// "\r\n" line ends, which the kernel never writes); FailedPrecondition when
// every address is zero, which is what a reader without the privilege to
// see kernel addresses gets (kernel.kptr_restrict).
absl::StatusOr<std::vector<KallsymsEntry>> ParseKallsyms(
    absl::string_view text, absl::string_view filename);

// Parses System.map text. Types are letters or '?', the characters nm
// prints for defined symbols ('?' marks a type nm cannot classify). A tab
// (module column) is an error: System.map describes vmlinux only. All-zero
// addresses are accepted: they are link-time values, not hidden ones.
absl::StatusOr<std::vector<KallsymsEntry>> ParseSystemMap(
    absl::string_view text, absl::string_view filename);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_SOURCES_KALLSYMS_H_
