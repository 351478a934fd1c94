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
    return Search(addresses, r, addr);
  }

  // What Locate needs to know about the last symbol at or below an
  // address, besides its size.
  struct Near {
    uint32_t symbol;   // the last symbol at or below the address
    bool alias_below;  // symbol - 1 starts at the same address
    bool has_next;     // symbol + 1 exists (then `next` is its address)
    uint64_t start;    // the symbol's address
    uint64_t next;
  };
  // Predecessor(addr) and its neighbours from the range it lies in (the
  // range's segment base, the next range's start) and the offsets next to
  // it, which the search read: no segment scan, no Address() call. False
  // below the first symbol. Only when present().
  bool FindNear(const AddressSection& addresses, uint64_t addr,
                Near* out) const {
    size_t k = ranges_.size();
    while (k > 0 && ranges_[k - 1].start > addr) --k;
    if (k == 0) return false;
    const Range& r = ranges_[k - 1];
    const uint32_t end = r.first + r.count;
    const uint32_t p = addr > r.last ? end - 1 : Search(addresses, r, addr);
    const uint32_t op = addresses.Offset(p);
    // Neighbours in the range as offsets (indexes kept in it, no branch);
    // the one after the range is the next range's first symbol. A symbol
    // before the range lies below its start: never an alias.
    const bool inner_below = p > r.first, inner_next = p + 1 < end;
    out->symbol = p;
    out->start = r.segment_base + op;
    out->alias_below = inner_below & (addresses.Offset(p - inner_below) == op);
    out->has_next = inner_next | (k < ranges_.size());
    out->next = inner_next ? r.segment_base + addresses.Offset(p + 1)
                : k < ranges_.size() ? ranges_[k].start
                                     : 0;
    return true;
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

  struct Range;
  // The last symbol at or below addr, in r's [start, last].
  uint32_t Search(const AddressSection& addresses, const Range& r,
                  uint64_t addr) const {
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
