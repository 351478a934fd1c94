#include "symbolizer/api/static_address.h"

#include "absl/strings/str_cat.h"

namespace ksym {

std::optional<uint64_t> StaticStart(const Symbolizer& s,
                                    const SymbolInfo& symbol) {
  const IndexReader& index = s.index();
  if (index.address_space() != AddressSpace::kRuntime ||
      !index.kaslr_offset_known() || symbol.type == 'a' ||
      symbol.type == 'A' || index.ModuleSetLoadable(symbol.module_set)) {
    return std::nullopt;
  }
  return symbol.address - static_cast<uint64_t>(index.kaslr_offset());
}

absl::StatusOr<uint64_t> RuntimeFromStatic(const IndexReader& index,
                                           uint64_t static_address) {
  if (index.address_space() == AddressSpace::kStatic) return static_address;
  if (!index.kaslr_offset_known()) {
    return absl::FailedPreconditionError(
        "the KASLR offset of this runtime index is unknown (built from "
        "kallsyms alone), so link-time addresses cannot be placed; build it "
        "with the vmlinux or System.map of this kernel");
  }
  return static_address + static_cast<uint64_t>(index.kaslr_offset());
}

absl::StatusOr<uint64_t> ShiftForKaslrOffset(const IndexReader& index,
                                             uint64_t kaslr_offset) {
  if (index.address_space() == AddressSpace::kStatic) return kaslr_offset;
  if (!index.kaslr_offset_known() ||
      static_cast<uint64_t>(index.kaslr_offset()) == kaslr_offset) {
    return 0;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "the KASLR offset 0x", absl::Hex(kaslr_offset),
      " is not this runtime index's (0x",
      absl::Hex(static_cast<uint64_t>(index.kaslr_offset())),
      "): the addresses are of another boot; give a static (vmlinux) index "
      "with --kaslr-offset, or the index of that boot"));
}

}  // namespace ksym
