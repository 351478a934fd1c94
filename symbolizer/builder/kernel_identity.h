// Stage 3 of a build: which kernel the index describes. The identity comes
// from, in order: the caller (BuildInputs::identity), the running kernel
// (for /proc/kallsyms), then the vmlinux (build-id, arch, linux_banner
// release), the build tree's include/config/kernel.release, the name of the
// modules directory. A vmlinux joined with kallsyms must have the build-id
// of the kernel kallsyms came from:
//
//   vmlinux-6.1.0-57 has build-id 3a1f... but the running kernel's is
//   9c02... (/sys/kernel/notes): give the vmlinux of the running kernel
#ifndef KSYM_SYMBOLIZER_BUILDER_KERNEL_IDENTITY_H_
#define KSYM_SYMBOLIZER_BUILDER_KERNEL_IDENTITY_H_

#include "absl/status/statusor.h"
#include "symbolizer/builder/build_log.h"
#include "symbolizer/builder/inputs.h"
#include "symbolizer/builder/static_symbols.h"
#include "symbolizer/catalog/catalog.h"

namespace ksym {

// `have_kallsyms`: runtime symbols were read, so a vmlinux is joined with
// them and its build-id is checked. FailedPrecondition on a mismatch.
// Address space and KASLR offset are left for the later stages.
absl::StatusOr<KernelIdentity> DecideIdentity(const BuildInputs& given,
                                              const ResolvedInputs& inputs,
                                              const StaticSymbols& statics,
                                              bool have_kallsyms,
                                              BuildLog& log);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_BUILDER_KERNEL_IDENTITY_H_
