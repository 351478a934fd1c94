#include "symbolizer/api/dump_offset.h"

#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "symbolizer/api/static_address.h"
#include "symbolizer/names/printable.h"

namespace ksym {
namespace {

std::string Hex(uint64_t v) { return absl::StrCat("0x", absl::Hex(v)); }

// The index's own address of _stext (runtime on a runtime index).
std::optional<uint64_t> IndexStext(const Symbolizer& s) {
  absl::StatusOr<std::vector<Candidate>> c = s.Resolve("_stext");
  if (!c.ok() || c->empty()) return std::nullopt;
  return (*c)[0].address;
}

}  // namespace

absl::StatusOr<DumpShift> ShiftFromVmcoreinfo(const Symbolizer& s,
                                              const Vmcoreinfo& v) {
  const IndexReader& index = s.index();
  if (!index.release().empty() && v.osrelease != index.release()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the dump is of kernel ", EscapeUnprintable(v.osrelease),
        ", the index of ", EscapeUnprintable(index.release())));
  }
  // The index's build-id is the vmlinux's whole GNU note; vmcoreinfo
  // prints its first 20 bytes.
  const std::string index_id = absl::AsciiStrToLower(index.build_id());
  if (!index_id.empty() && !v.build_id.empty() &&
      index_id.substr(0, v.build_id.size()) != v.build_id) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the dump's kernel has build-id ", v.build_id, ", the index's ",
        index_id, ": another build of ", EscapeUnprintable(v.osrelease)));
  }
  const bool runtime = index.address_space() == AddressSpace::kRuntime;
  const std::optional<uint64_t> stext = IndexStext(s);
  // _stext at link time, when the index says it.
  std::optional<uint64_t> link_stext;
  if (stext && !runtime) link_stext = *stext;
  if (stext && runtime && index.kaslr_offset_known()) {
    link_stext = *stext - static_cast<uint64_t>(index.kaslr_offset());
  }

  std::optional<uint64_t> offset;
  std::string how;
  if (v.kernel_offset) {
    offset = v.kernel_offset;
    how = "KERNELOFFSET";
    if (v.stext && link_stext) {
      if (*v.stext - *offset != *link_stext) {
        return absl::FailedPreconditionError(absl::StrCat(
            "the dump's KERNELOFFSET=", absl::Hex(*offset),
            " and SYMBOL(_stext)=", absl::Hex(*v.stext),
            " put _stext at link time at ", Hex(*v.stext - *offset),
            ", the index at ", Hex(*link_stext),
            ": the dump is not of this index's kernel"));
      }
      how += "; SYMBOL(_stext) agrees";
    }
  } else if (v.stext && link_stext) {
    offset = *v.stext - *link_stext;
    how = "SYMBOL(_stext) less the index's _stext";
  } else if (v.stext && stext && runtime) {
    // A runtime index of unknown offset: the same boot has the same _stext.
    if (*v.stext != *stext) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the dump's _stext is at ", Hex(*v.stext), ", this runtime index's "
          "at ", Hex(*stext), ": the index is of another boot"));
    }
    DumpShift d;
    d.summary = absl::StrCat("kernel ", EscapeUnprintable(v.osrelease),
                             ", the same boot as the index (SYMBOL(_stext))");
    return d;
  }
  if (!offset) {
    return absl::FailedPreconditionError(
        "the vmcoreinfo has no KERNELOFFSET, and no SYMBOL(_stext) that "
        "the index's _stext could place: give --kaslr-offset");
  }
  absl::StatusOr<uint64_t> shift = ShiftForKaslrOffset(index, *offset);
  if (!shift.ok()) return shift.status();
  DumpShift d;
  d.shift = *shift;
  d.summary = absl::StrCat(
      "kernel ", EscapeUnprintable(v.osrelease),
      v.build_id.empty() ? "" : absl::StrCat(", build-id ", v.build_id),
      ", KASLR offset ", Hex(*offset), " (", how, ")",
      v.kimage_voffset
          ? absl::StrCat(", kimage_voffset ", Hex(*v.kimage_voffset),
                         " (arm64's virtual-to-physical offset, not used)")
          : "");
  return d;
}

}  // namespace ksym
