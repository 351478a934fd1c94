// kSizes (optional) and kOverlaps (format.h): where each symbol ends. A
// size is exact or kSizeInferred (ends at the next higher address); the
// overlaps table is the stabbing structure over the exact-size symbols
// that reach past the next higher address, an implicit binary search tree
// with subtree maxima.
#ifndef KSYM_SYMBOLIZER_INDEX_EXTENT_SECTION_H_
#define KSYM_SYMBOLIZER_INDEX_EXTENT_SECTION_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/section_codec.h"
#include "symbolizer/index/string_table.h"

namespace ksym {

class ExtentSection {
 public:
  static constexpr uint64_t kOverlapSize = 32;
  struct Overlap {
    uint64_t start, end, max_end;
    uint32_t symbol;
  };

  // i < the symbol count.
  bool SizeExact(uint32_t i) const {
    return sizes_ != nullptr &&
           bytes::Load32(sizes_ + 4 * uint64_t{i}) != format::kSizeInferred;
  }
  // The exact size; meaningful when SizeExact(i).
  uint32_t Size(uint32_t i) const {
    return bytes::Load32(sizes_ + 4 * uint64_t{i});
  }

  uint64_t overlap_count() const { return overlap_count_; }
  // pos < overlap_count().
  Overlap OverlapAt(uint64_t pos) const {
    const char* e = overlaps_ + kOverlapSize * pos;
    return {bytes::Load64(e), bytes::Load64(e + 8), bytes::Load64(e + 16),
            bytes::Load32(e + 24)};
  }

  // Sizes only when some size is exact. InvalidArgument for a size the
  // format cannot hold (4 GiB or more).
  static absl::Status Encode(const Catalog& catalog,
                             StringTableBuilder& strings,
                             EncodedSections* out);
  static absl::StatusOr<ExtentSection> Decode(const SectionDirectory& dir);

 private:
  const char* sizes_ = nullptr;  // null: all inferred
  const char* overlaps_ = nullptr;
  uint64_t overlap_count_ = 0;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_EXTENT_SECTION_H_
