// Placing a crash dump's addresses in an index from the dump's vmcoreinfo
// (`lookup --vmcoreinfo`, `symbolize --vmcoreinfo`): the dump must be of
// the index's kernel (release, build-id), and its KASLR offset comes from
// KERNELOFFSET, or from SYMBOL(_stext) against the index's _stext when the
// arch writes no KERNELOFFSET. When both are there they must agree. arm64's
// NUMBER(kimage_voffset) is not a KASLR offset (it holds the physical load
// address too) and is only shown.
//
//   absl::StatusOr<DumpShift> d = ShiftFromVmcoreinfo(*s, vmcoreinfo);
//   // d->shift: what to subtract from the dump's addresses, as
//   // ShiftForKaslrOffset; d->summary: one line saying where it came from.
#ifndef KSYM_SYMBOLIZER_API_DUMP_OFFSET_H_
#define KSYM_SYMBOLIZER_API_DUMP_OFFSET_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/sources/vmcoreinfo.h"

namespace ksym {

struct DumpShift {
  uint64_t shift = 0;
  // "kernel R, build-id B, KASLR offset 0x... (KERNELOFFSET; SYMBOL(_stext)
  // agrees)": printable, for stderr.
  std::string summary;
};

// FailedPrecondition when the dump is of another kernel (release or
// build-id differ), when KERNELOFFSET and SYMBOL(_stext) disagree with the
// index, when a runtime index is of another boot, or when nothing in the
// vmcoreinfo gives the offset.
absl::StatusOr<DumpShift> ShiftFromVmcoreinfo(const Symbolizer& s,
                                              const Vmcoreinfo& v);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_API_DUMP_OFFSET_H_
