#include "symbolizer/index/address_section.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ksym {

absl::Status AddressSection::Encode(const Catalog& catalog,
                                    StringTableBuilder& strings,
                                    EncodedSections* out) {
  const std::vector<Symbol>& syms = catalog.symbols;
  const uint64_t n = syms.size();
  struct Segment {
    uint64_t base;
    uint32_t first, count;
  };
  std::vector<Segment> segs;
  std::string offsets;
  offsets.reserve(4 * n);
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t a = syms[i].address;
    if (segs.empty() || a - segs.back().base > 0xffffffffull) {
      segs.push_back({a, static_cast<uint32_t>(i), 0});
    }
    ++segs.back().count;
    bytes::Append32(&offsets, static_cast<uint32_t>(a - segs.back().base));
  }
  std::string table;
  AppendCountedHeader(&table, static_cast<uint32_t>(segs.size()));
  for (const Segment& s : segs) {
    bytes::Append64(&table, s.base);
    bytes::Append32(&table, s.first);
    bytes::Append32(&table, s.count);
  }
  out->push_back({format::kSegments, std::move(table)});
  out->push_back({format::kAddressOffsets, std::move(offsets)});
  return absl::OkStatus();
}

absl::StatusOr<AddressSection> AddressSection::Decode(
    const SectionDirectory& dir) {
  const uint64_t n = dir.symbol_count;
  absl::StatusOr<CountedTable> t = DecodeCountedTable(
      format::kSegments, dir.section[format::kSegments], kSegmentSize, true);
  if (!t.ok()) return t.status();
  AddressSection a;
  a.segments_ = t->entries;
  a.segment_count_ = static_cast<uint32_t>(t->count);
  uint64_t next = 0;
  for (uint32_t k = 0; k < a.segment_count_; ++k) {
    const uint64_t b = a.SegmentBase(k);
    const uint32_t first = a.SegmentFirst(k), count = a.SegmentSymbols(k);
    if (first != next || count == 0 || (k > 0 && b <= a.SegmentBase(k - 1))) {
      return absl::DataLossError(absl::StrCat(
          "segment ", k, " (base 0x", absl::Hex(b), ", first ", first,
          ", count ", count, ") does not continue the previous one"));
    }
    next += count;
  }
  if (next != n) {
    return absl::DataLossError(
        absl::StrCat("segments cover ", next, " symbols, header says ", n));
  }
  const absl::string_view offsets = dir.section[format::kAddressOffsets];
  if (absl::Status s =
          CheckPerSymbolSize(format::kAddressOffsets, offsets, 4 * n, n);
      !s.ok()) {
    return s;
  }
  a.offsets_ = offsets.data();
  return a;
}

}  // namespace ksym
