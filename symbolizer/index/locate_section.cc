#include "symbolizer/index/locate_section.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ksym {
namespace {

struct PlannedRange {
  uint64_t start, last;
  uint32_t first, count;
};

uint64_t BucketsOf(const PlannedRange& r, uint32_t shift) {
  return ((r.last - r.start) >> shift) + 1;
}

}  // namespace

absl::Status LocateSection::Encode(const Catalog& catalog,
                                   StringTableBuilder& /*strings*/,
                                   EncodedSections* out) {
  const std::vector<Symbol>& syms = catalog.symbols;
  const uint64_t n = syms.size();
  if (n == 0) return absl::OkStatus();
  // Ranges split where addresses jump by more than kRangeGap, and where
  // AddressSection starts a new segment (a range lies in one segment, so
  // lookups compare 32-bit offsets).
  std::vector<PlannedRange> ranges;
  uint64_t segment_base = 0;
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t a = syms[i].address;
    const bool new_segment = i == 0 || a - segment_base > 0xffffffffull;
    if (new_segment) segment_base = a;
    if (new_segment || a - ranges.back().last > kRangeGap) {
      ranges.push_back({a, a, static_cast<uint32_t>(i), 0});
    }
    ranges.back().last = a;
    ++ranges.back().count;
  }
  // The smallest bucket size within the budget.
  const uint64_t budget =
      std::max<uint64_t>(n / kSymbolsPerBucket, ranges.size());
  uint32_t shift = kMinShift;
  for (;; ++shift) {
    uint64_t total = 0;
    for (const PlannedRange& r : ranges) total += BucketsOf(r, shift);
    if (total <= budget || shift == kMaxShift) break;
  }
  std::string table, buckets;
  uint32_t bucket_total = 0;
  for (const PlannedRange& r : ranges) {
    const uint64_t count = BucketsOf(r, shift);
    bytes::Append64(&table, r.start);
    bytes::Append32(&table, r.first);
    bytes::Append32(&table, r.count);
    bytes::Append32(&table, bucket_total);
    bytes::Append32(&table, static_cast<uint32_t>(count));
    uint64_t j = r.first;
    for (uint64_t b = 0; b < count; ++b) {
      const uint64_t bucket_start = r.start + (b << shift);
      while (syms[j].address < bucket_start) ++j;  // the last symbol is not
      bytes::Append32(&buckets, static_cast<uint32_t>(j));
    }
    bucket_total += static_cast<uint32_t>(count);
  }
  std::string section;
  bytes::Append32(&section, static_cast<uint32_t>(ranges.size()));
  bytes::Append32(&section, shift);
  bytes::Append32(&section, bucket_total);
  bytes::Append32(&section, 0);
  section += table;
  section += buckets;
  out->push_back({format::kAddressLocate, std::move(section)});
  return absl::OkStatus();
}

absl::StatusOr<LocateSection> LocateSection::Decode(
    const SectionDirectory& dir) {
  LocateSection l;
  if (!dir.present[format::kAddressLocate]) return l;
  const uint32_t id = format::kAddressLocate;
  const absl::string_view sec = dir.section[id];
  if (sec.size() < kHeaderSize) {
    return SectionError(id, "is ", sec.size(), " bytes, shorter than its ",
                        kHeaderSize, "-byte header");
  }
  const uint32_t range_count = bytes::Load32(sec.data());
  const uint32_t shift = bytes::Load32(sec.data() + 4);
  const uint32_t bucket_count = bytes::Load32(sec.data() + 8);
  if (bytes::Load32(sec.data() + 12) != 0) {
    return SectionError(id, "has non-zero reserved bytes");
  }
  if (shift < kMinShift || shift > kMaxShift) {
    return SectionError(id, "bucket shift ", shift, " is outside ", kMinShift,
                        "..", kMaxShift);
  }
  const uint64_t want =
      kHeaderSize + kRangeSize * uint64_t{range_count} + 4 * uint64_t{bucket_count};
  if (sec.size() != want) {
    return SectionError(id, "is ", sec.size(), " bytes, expected ", want,
                        " for ", range_count, " ranges and ", bucket_count,
                        " buckets");
  }
  const uint64_t n = dir.symbol_count;
  if ((range_count == 0) != (n == 0)) {
    return SectionError(id, "has ", range_count, " ranges for ", n,
                        " symbols");
  }
  absl::StatusOr<AddressSection> addresses = AddressSection::Decode(dir);
  if (!addresses.ok()) return addresses.status();
  const AddressSection& a = *addresses;
  l.shift_ = shift;
  l.bucket_count_ = bucket_count;
  l.buckets_ = sec.data() + kHeaderSize + kRangeSize * uint64_t{range_count};
  uint64_t next_symbol = 0, next_bucket = 0;
  for (uint32_t k = 0; k < range_count; ++k) {
    const char* e = sec.data() + kHeaderSize + kRangeSize * k;
    Range r;
    r.start = bytes::Load64(e);
    r.first = bytes::Load32(e + 8);
    r.count = bytes::Load32(e + 12);
    r.first_bucket = bytes::Load32(e + 16);
    r.bucket_count = bytes::Load32(e + 20);
    auto bad = [&](auto&&... why) {
      return SectionError(id, "range ", k, " (first ", r.first, ", count ",
                          r.count, "): ", why...);
    };
    if (r.first != next_symbol || r.count == 0 ||
        uint64_t{r.first} + r.count > n) {
      return bad("does not continue the previous range within the symbols");
    }
    const size_t seg = a.SegmentOf(r.first);
    const uint64_t seg_end =
        uint64_t{a.SegmentFirst(seg)} + a.SegmentSymbols(seg);
    if (uint64_t{r.first} + r.count > seg_end) {
      return bad("crosses an address segment");
    }
    r.segment_base = a.SegmentBase(seg);
    if (r.start != r.segment_base + a.Offset(r.first)) {
      return bad("starts at 0x", absl::Hex(r.start),
                 ", not at its first symbol's address");
    }
    const uint32_t end = r.first + r.count;
    r.last = r.segment_base + a.Offset(end - 1);
    if (k > 0 && r.start <= l.ranges_.back().last) {
      return bad("does not start above the previous range");
    }
    if (r.first_bucket != next_bucket || r.last < r.start ||
        r.bucket_count != ((r.last - r.start) >> shift) + 1 ||
        uint64_t{r.first_bucket} + r.bucket_count > bucket_count) {
      return bad("has ", r.bucket_count, " buckets from ", r.first_bucket,
                 ", not those its addresses need");
    }
    // One pass: addresses ascend within the range, and each bucket names
    // the first symbol at or above its start.
    for (uint32_t j = r.first + 1; j < end; ++j) {
      if (a.Offset(j) < a.Offset(j - 1)) {
        return bad("symbol ", j, "'s address is below its predecessor's");
      }
    }
    uint32_t j = r.first;
    for (uint32_t b = 0; b < r.bucket_count; ++b) {
      const uint64_t bucket_start = r.start + (uint64_t{b} << shift);
      while (j < end && r.segment_base + a.Offset(j) < bucket_start) ++j;
      if (l.Bucket(uint64_t{r.first_bucket} + b) != j) {
        return bad("bucket ", b, " names symbol ",
                   l.Bucket(uint64_t{r.first_bucket} + b), ", not ", j);
      }
    }
    next_symbol = end;
    next_bucket += r.bucket_count;
    l.ranges_.push_back(r);
  }
  if (next_symbol != n || next_bucket != bucket_count) {
    return SectionError(id, "ranges cover ", next_symbol, " symbols and ",
                        next_bucket, " buckets, not ", n, " and ",
                        bucket_count);
  }
  return l;
}

}  // namespace ksym
