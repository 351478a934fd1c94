// kAddressLocate (format.h; optional): a page-bucket table in front of the
// address column, so that finding the last symbol at or below an address
// reads one table entry and one or two cache lines of kAddressOffsets
// instead of ~17 steps of binary search. An index without it (older files)
// is searched as before (IndexReader::Predecessor).
#ifndef KSYM_SYMBOLIZER_INDEX_LOCATE_SECTION_H_
#define KSYM_SYMBOLIZER_INDEX_LOCATE_SECTION_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/address_section.h"
#include "symbolizer/index/section_codec.h"
#include "symbolizer/index/string_table.h"

namespace ksym {

class LocateSection {
 public:
  static constexpr uint64_t kHeaderSize = 16;
  static constexpr uint64_t kRangeSize = 24;
  // Consecutive symbol addresses further apart than this start a new range
  // (per-cpu data, kernel text, module space): the buckets tile only the
  // ranges, not the gaps between them.
  static constexpr uint64_t kRangeGap = uint64_t{1} << 20;
  // At most this many buckets per symbol, over all ranges (the writer
  // picks the smallest bucket size that fits): 4 bytes per bucket, so at
  // most 2 bytes per symbol.
  static constexpr uint64_t kSymbolsPerBucket = 2;
  static constexpr uint32_t kMinShift = 4, kMaxShift = 32;

  bool present() const { return !ranges_.empty(); }
  uint32_t shift() const { return shift_; }
  size_t range_count() const { return ranges_.size(); }
  uint64_t bucket_count() const { return bucket_count_; }

  // The last symbol whose address is <= addr, as IndexReader::Predecessor
  // (nullopt below the first symbol). Only when present(); `addresses` is
  // the index's address column the table was checked against at Decode.
  std::optional<uint32_t> Predecessor(const AddressSection& addresses,
                                      uint64_t addr) const {
    // Few ranges (typically 1-4): a scan from the back.
    size_t k = ranges_.size();
    while (k > 0 && ranges_[k - 1].start > addr) --k;
    if (k == 0) return std::nullopt;
    const Range& r = ranges_[k - 1];
    // Past its last symbol (in the gap before the next range).
    if (addr > r.last) return r.first + r.count - 1;
    const uint64_t b = (addr - r.start) >> shift_;  // < r.bucket_count
    const uint64_t at = uint64_t{r.first_bucket} + b;
    const uint32_t lo = Bucket(at);
    const uint32_t hi =
        b + 1 < r.bucket_count ? Bucket(at + 1) : r.first + r.count;
    // Symbols below lo start before this bucket, symbols from hi on after
    // it: the answer is the last of lo - 1 .. hi - 1 at or below addr,
    // lo - 1 if none (Decode checked the entries against the addresses:
    // lo <= hi, and lo - 1 >= first except in the range's first bucket,
    // which holds its first symbol, at or below addr). addr <= last keeps
    // the offset within the segment's 32 bits.
    const uint32_t target = static_cast<uint32_t>(addr - r.segment_base);
    uint32_t p = lo - 1;
    for (uint32_t len = hi - lo + 1; len > 1;) {  // branch-free, as Predecessor
      const uint32_t half = len / 2;
      p += addresses.Offset(p + half) <= target ? half : 0;
      len -= half;
    }
    return p;
  }

  static absl::Status Encode(const Catalog& catalog,
                             StringTableBuilder& strings,
                             EncodedSections* out);
  // Absent section: !present(). Otherwise checks every entry against the
  // address column (one pass), so that a table that decodes gives the
  // answers of the plain search.
  static absl::StatusOr<LocateSection> Decode(const SectionDirectory& dir);

 private:
  uint32_t Bucket(uint64_t k) const { return bytes::Load32(buckets_ + 4 * k); }

  struct Range {
    uint64_t start, last;   // the addresses of its first and last symbols
    uint64_t segment_base;  // of the segment holding the range
    uint32_t first, count, first_bucket, bucket_count;
  };
  std::vector<Range> ranges_;  // read at Decode: few
  uint32_t shift_ = 0;
  uint64_t bucket_count_ = 0;
  const char* buckets_ = nullptr;
};

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_INDEX_LOCATE_SECTION_H_
