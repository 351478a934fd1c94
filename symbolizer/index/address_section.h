// kSegments and kAddressOffsets (format.h): every symbol's address as a
// u32 offset from the base of its segment; segments tile the symbols in
// order, a new one where addresses jump by 4 GiB or more.
#ifndef KSYM_SYMBOLIZER_INDEX_ADDRESS_SECTION_H_
#define KSYM_SYMBOLIZER_INDEX_ADDRESS_SECTION_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/section_codec.h"
#include "symbolizer/index/string_table.h"

namespace ksym {

class AddressSection {
 public:
  static constexpr uint64_t kSegmentSize = 16;

  uint32_t segment_count() const { return segment_count_; }
  // k < segment_count().
  uint64_t SegmentBase(size_t k) const {
    return bytes::Load64(segments_ + kSegmentSize * k);
  }
  uint32_t SegmentFirst(size_t k) const {
    return bytes::Load32(segments_ + kSegmentSize * k + 8);
  }
  uint32_t SegmentSymbols(size_t k) const {
    return bytes::Load32(segments_ + kSegmentSize * k + 12);
  }
  // The segment holding symbol i (i < the symbol count).
  size_t SegmentOf(uint32_t i) const {
    // Few segments (typically 1-3): a linear scan from the back is fastest.
    size_t k = segment_count_;
    while (k > 1 && SegmentFirst(k - 1) > i) --k;
    return k - 1;
  }
  // Symbol i's offset from its segment's base.
  uint32_t Offset(uint32_t i) const {
    return bytes::Load32(offsets_ + 4 * uint64_t{i});
  }
  uint64_t Address(uint32_t i) const {
    return SegmentBase(SegmentOf(i)) + Offset(i);
  }

  static absl::Status Encode(const Catalog& catalog,
                             StringTableBuilder& strings,
                             EncodedSections* out);
  // Segments must tile 0..n-1 in order with ascending bases (lookups rely
  // on it to stay in bounds); one offset per symbol.
  static absl::StatusOr<AddressSection> Decode(const SectionDirectory& dir);

 private:
  const char* segments_ = nullptr;
  uint32_t segment_count_ = 0;
  const char* offsets_ = nullptr;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_ADDRESS_SECTION_H_
