#include "symbolizer/index/extent_section.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ksym {
namespace {

// Fills max_end over the implicit tree (format.h, kOverlaps). The subtree
// of the node at position i and level k is the contiguous positions
// [i - 2^k + 1, i + 2^k - 1], clipped to the array; each level's subtrees
// partition the array, so this is O(n log n) in all.
void ComputeMaxEnds(std::vector<ExtentSection::Overlap>& a) {
  const uint64_t n = a.size();
  for (uint64_t i = 0; i < n; ++i) {
    const int k = __builtin_ctzll(~i);  // trailing one bits = level
    const uint64_t span = (uint64_t{1} << k) - 1;
    const uint64_t lo = i - span;
    const uint64_t hi = std::min(n - 1, i + span);
    uint64_t m = 0;
    for (uint64_t j = lo; j <= hi; ++j) m = std::max(m, a[j].end);
    a[i].max_end = m;
  }
}

}  // namespace

absl::Status ExtentSection::Encode(const Catalog& catalog,
                                   StringTableBuilder& strings,
                                   EncodedSections* out) {
  const std::vector<Symbol>& syms = catalog.symbols;
  const uint64_t n = syms.size();
  bool any_exact = false;
  std::vector<Overlap> overlaps;
  uint64_t group_end = 0;  // index one past the current address group
  uint64_t next_higher = 0;
  bool has_next_higher = false;
  for (uint64_t i = 0; i < n; ++i) {
    const Symbol& s = syms[i];
    if (i >= group_end) {
      group_end = i + 1;
      while (group_end < n && syms[group_end].address == s.address) {
        ++group_end;
      }
      has_next_higher = group_end < n;
      next_higher = has_next_higher ? syms[group_end].address : 0;
    }
    if (!s.size_exact) continue;
    any_exact = true;
    if (s.size >= format::kSizeInferred) {
      return absl::InvalidArgumentError(absl::StrCat(
          "symbol ", s.name, " at 0x", absl::Hex(s.address), " has size 0x",
          absl::Hex(s.size), ", more than the index can hold"));
    }
    const uint64_t end = s.address + s.size;
    // Only a symbol reaching past the next higher address can cover an
    // address whose predecessor is another symbol.
    if (has_next_higher && end > next_higher) {
      overlaps.push_back({s.address, end, 0, static_cast<uint32_t>(i)});
    }
  }
  if (any_exact) {
    std::string sizes;
    sizes.reserve(4 * n);
    for (const Symbol& s : syms) {
      bytes::Append32(&sizes, s.size_exact ? static_cast<uint32_t>(s.size)
                                           : format::kSizeInferred);
    }
    out->push_back({format::kSizes, std::move(sizes)});
  }
  // Already in (start, symbol) order because symbols are.
  ComputeMaxEnds(overlaps);
  std::string table;
  AppendCountedHeader(&table, static_cast<uint32_t>(overlaps.size()));
  for (const Overlap& e : overlaps) {
    bytes::Append64(&table, e.start);
    bytes::Append64(&table, e.end);
    bytes::Append64(&table, e.max_end);
    bytes::Append32(&table, e.symbol);
    bytes::Append32(&table, 0);
  }
  out->push_back({format::kOverlaps, std::move(table)});
  return absl::OkStatus();
}

absl::StatusOr<ExtentSection> ExtentSection::Decode(
    const SectionDirectory& dir) {
  const uint64_t n = dir.symbol_count;
  ExtentSection e;
  if (dir.present[format::kSizes]) {
    const absl::string_view sizes = dir.section[format::kSizes];
    if (absl::Status s = CheckPerSymbolSize(format::kSizes, sizes, 4 * n, n);
        !s.ok()) {
      return s;
    }
    e.sizes_ = sizes.data();
  }
  absl::StatusOr<CountedTable> t = DecodeCountedTable(
      format::kOverlaps, dir.section[format::kOverlaps], kOverlapSize, true);
  if (!t.ok()) return t.status();
  e.overlaps_ = t->entries;
  e.overlap_count_ = t->count;
  return e;
}

}  // namespace ksym
