// Which addresses an index answers for: the one rule, shared by Lookup,
// Locate and their batch forms, that keeps user-space addresses, the direct
// map, static addresses asked of a runtime index, and absolute values from
// being "inside" some symbol.
//
//   KernelAddressRule rule = KernelAddressRule::ForIndex(index);
//   rule.IsKernelAddress(0x00007f0012345678)   // false
//   rule.InferredEnd(start, next_higher)       // where a sizeless symbol ends
//
// The kernel's own rule (kernel/kallsyms.c is_ksym_addr) names an address
// only inside [_stext, _etext], [_sinittext, _einittext] (or up to _end with
// CONFIG_KALLSYMS_ALL) or inside a loaded module; scripts/kallsyms drops
// absolute symbols altogether. An index records neither section bounds nor
// module sizes for every source, so ksym approximates:
//   - Kernel addresses start at the lowest text symbol (type t, T, w, W).
//     Below it lie per-cpu offsets (System.map, 0..~0x30000), absolute
//     values (phys_startup_64 = 0x1000000, text_size, __crc_*), user space
//     and the direct map: "not a kernel address". Computed once at open by
//     walking up from the lowest symbol (~360 symbols on x86-64 System.map).
//   - A symbol without an exact size ends at the next higher symbol
//     address, unless that is more than kMaxInferredExtent away: then
//     nothing says where it ends and, like the highest symbol, it covers
//     only its own address. The largest distance between consecutive
//     symbols of a vmlinux is a few MiB (Debian 6.1: 4 MiB, sme_workarea;
//     6.18: 5.3 MiB, .BTF); the gap between vmlinux and module space is
//     ~1 GiB on x86-64 (smaller under an unlucky KASLR slide: then the last
//     vmlinux symbol still covers it).
#ifndef KSYM_SYMBOLIZER_QUERY_ADDRESS_RULE_H_
#define KSYM_SYMBOLIZER_QUERY_ADDRESS_RULE_H_

#include <cstdint>

#include "symbolizer/index/reader.h"

namespace ksym {

class KernelAddressRule {
 public:
  // 64 MiB: 8x the largest gap seen in a real vmlinux, above any
  // __log_buf (CONFIG_LOG_BUF_SHIFT <= 25: 32 MiB).
  static constexpr uint64_t kMaxInferredExtent = uint64_t{64} << 20;

  static KernelAddressRule ForIndex(const IndexReader& index);

  // The lowest text symbol address (0 when the index has no text symbol:
  // then every address is a kernel address).
  uint64_t kernel_start() const { return kernel_start_; }
  bool IsKernelAddress(uint64_t address) const {
    return address >= kernel_start_;
  }

  // The exclusive end of a symbol at `start` without an exact size, whose
  // next higher symbol starts at `next` (`start` itself when there is
  // none): `next`, or `start` (no known end: it covers only `start`) when
  // the distance is absurd.
  static uint64_t InferredEnd(uint64_t start, uint64_t next) {
    return next - start <= kMaxInferredExtent ? next : start;
  }

 private:
  uint64_t kernel_start_ = 0;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_QUERY_ADDRESS_RULE_H_
