#include "symbolizer/query/symbolizer.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/query/address_rule.h"
#include "symbolizer/query/alias_order.h"

namespace ksym {
namespace {

// Better() as a sortable value: one name decode per symbol instead of two
// per comparison, for ranking many symbols at once.
struct RankKey {
  uint64_t address, end, alias_rank;
  bool module_first;  // IndexReader::ModuleAliasFirst
  std::string name;
  uint32_t symbol;
  bool operator<(const RankKey& o) const {  // "better than"
    if (address != o.address) return address > o.address;
    if (end != o.end) return end < o.end;
    if (module_first != o.module_first) return module_first;
    if (alias_rank != o.alias_rank) return alias_rank < o.alias_rank;
    if (name != o.name) return name < o.name;
    return symbol < o.symbol;
  }
};

RankKey KeyOf(const IndexReader& index, uint32_t s) {
  char name[SymbolInfo::kNameCapacity];
  char type;
  absl::string_view v(name, index.TypeAndName(s, &type, name, sizeof(name)));
  return {index.Address(s), index.End(s), AliasRank(type, v),
          index.ModuleAliasFirst(s), std::string(v), s};
}

// Symbols covering one address: at most this many are ranked by Lookup
// (LookupAll returns the best this many). Only made-up or hostile inputs
// put more at one address; their large alias groups are ranked once
// (RankLargeAliasGroups), so the best still comes first.
constexpr size_t kMaxCovering = 256;

}  // namespace

const char* NotFoundReasonText(NotFoundReason reason) {
  switch (reason) {
    case NotFoundReason::kNone: return "";
    case NotFoundReason::kEmptyIndex: return "the index has no symbols";
    case NotFoundReason::kBelowFirstSymbol:
      return "below the lowest symbol address";
    case NotFoundReason::kPastLastSymbol:
      return "past the end of the highest symbol";
    case NotFoundReason::kInGap:
      return "between the end of one symbol and the start of the next";
    case NotFoundReason::kNotKernelAddress:
      return "not a kernel address: below the kernel text";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<Symbolizer>> Symbolizer::Open(
    const std::string& path, IndexOptions options) {
  absl::StatusOr<std::unique_ptr<IndexReader>> r =
      IndexReader::Open(path, options);
  if (!r.ok()) return r.status();
  return std::make_unique<Symbolizer>(*std::move(r));
}

Symbolizer::Symbolizer(std::unique_ptr<IndexReader> index)
    : index_(std::move(index)),
      rule_(KernelAddressRule::ForIndex(*index_)) {
  RankLargeAliasGroups();
  FindSimpleSymbols();
}

void Symbolizer::FindSimpleSymbols() {
  if (!index_->has_overlaps()) return;
  const uint64_t n = index_->symbol_count();
  simple_.assign((n + 63) / 64, 0);
  // One pass in address order: `reach` is the highest end of an exact
  // extent among the symbols before the current alias group. Inferred
  // extents end at the next address and never reach further.
  uint64_t reach = 0;
  uint32_t i = 0;
  while (i < n) {
    const uint64_t a = index_->Address(i);
    uint32_t j = i + 1;
    while (j < n && index_->Address(j) == a) ++j;
    if (j == i + 1 && reach <= a) simple_[i >> 6] |= uint64_t{1} << (i & 63);
    for (uint32_t k = i; k < j; ++k) {
      if (index_->SizeExact(k)) reach = std::max(reach, index_->End(k));
    }
    i = j;
  }
}

void Symbolizer::RankLargeAliasGroups() {
  // A group of more than kLargeAliasGroup (>= 2 strides of 64) symbols has
  // two probes kLargeAliasGroup / 2 apart at the same address: n / 64 probes
  // find every one, and normal kernels pay only those probes.
  const uint64_t n = index_->symbol_count();
  constexpr uint32_t kStride = kLargeAliasGroup / 2;
  for (uint64_t k = kStride; k < n; k += kStride) {
    const uint32_t i = static_cast<uint32_t>(k);
    if (index_->Address(i) != index_->Address(i - kStride)) continue;
    if (!large_groups_.empty() && i < large_groups_.back().end) continue;
    RankedGroup g;
    g.begin = index_->AliasGroupBegin(i);
    g.end = index_->AliasGroupEnd(i);
    if (g.end - g.begin <= kLargeAliasGroup) continue;
    const uint64_t address = index_->Address(g.begin);
    const bool has_next = g.end < n;
    std::vector<RankKey> keys;
    keys.reserve(g.end - g.begin);
    for (uint32_t s = g.begin; s < g.end; ++s) keys.push_back(KeyOf(*index_, s));
    std::sort(keys.begin(), keys.end());
    for (const RankKey& key : keys) {
      g.ranked.push_back(key.symbol);
      // A symbol without a known end still names its own address.
      g.cover_end.push_back(
          index_->SizeExact(key.symbol)
              ? key.end
              : std::max(KernelAddressRule::InferredEnd(
                             address, has_next ? key.end : address),
                         address + 1));
    }
    large_groups_.push_back(std::move(g));
  }
}

void Symbolizer::FillFacts(uint32_t i, SymbolFacts* out,
                           uint64_t inferred_end) const {
  out->index = i;
  out->address = index_->Address(i);
  out->size_exact = index_->SizeExact(i);
  const uint64_t end =
      out->size_exact ? index_->End(i)
      : inferred_end == kUnknownEnd
          ? KernelAddressRule::InferredEnd(out->address, index_->End(i))
          : inferred_end;
  out->size = end - out->address;
  index_->Attribution(i, &out->module_set, &out->object);
}

void Symbolizer::FillSymbol(uint32_t i, SymbolInfo* out,
                            uint64_t inferred_end) const {
  FillFacts(i, out, inferred_end);
  out->name_length = static_cast<uint16_t>(index_->TypeAndName(
      i, &out->type, out->name_buffer, SymbolInfo::kNameCapacity));
}

uint64_t Symbolizer::KernelLength(const SymbolFacts& s) const {
  const uint32_t next = index_->AliasGroupEnd(s.index);
  if (next >= index_->symbol_count()) return s.size;
  const uint64_t end =
      KernelAddressRule::InferredEnd(s.address, index_->Address(next));
  return end > s.address ? end - s.address : s.size;
}

SymbolInfo Symbolizer::Symbol(uint32_t index) const {
  SymbolInfo s;
  FillSymbol(index, &s, kUnknownEnd);
  return s;
}

bool Symbolizer::Better(uint32_t a, uint32_t b) const {
  const uint64_t sa = index_->Address(a), sb = index_->Address(b);
  if (sa != sb) return sa > sb;
  const uint64_t ea = index_->End(a), eb = index_->End(b);
  if (ea != eb) return ea < eb;
  return BetterAlias(a, b);
}

bool Symbolizer::BetterAlias(uint32_t a, uint32_t b) const {
  // A loadable module's alias the kernel names by its symtab order
  // (format.h kModuleAliasFirst) over the vmlinux rules.
  const bool fa = index_->ModuleAliasFirst(a), fb = index_->ModuleAliasFirst(b);
  if (fa != fb) return fa;
  char na[SymbolInfo::kNameCapacity], nb[SymbolInfo::kNameCapacity];
  char ta, tb;
  absl::string_view va(na, index_->TypeAndName(a, &ta, na, sizeof(na)));
  absl::string_view vb(nb, index_->TypeAndName(b, &tb, nb, sizeof(nb)));
  if (va == vb && ta == tb) return a < b;
  return AliasOrderLess(ta, va, tb, vb) ||
         (!AliasOrderLess(tb, vb, ta, va) && a < b);
}

size_t Symbolizer::Covering(uint64_t address, uint32_t* out, size_t cap,
                            NotFoundReason* reason, uint64_t* inferred_end,
                            uint32_t* named) const {
  if (named != nullptr) *named = SymbolHit::kNoSymbol;
  const uint64_t n = index_->symbol_count();
  *reason = NotFoundReason::kNone;
  if (n == 0) {
    *reason = NotFoundReason::kEmptyIndex;
    return 0;
  }
  if (!rule_.IsKernelAddress(address)) {
    *reason = NotFoundReason::kNotKernelAddress;
    return 0;
  }
  const std::optional<uint32_t> pred = index_->Predecessor(address);
  if (!pred) {
    *reason = NotFoundReason::kBelowFirstSymbol;
    return 0;
  }
  const uint32_t p = *pred;
  const uint32_t g0 = index_->AliasGroupBegin(p);
  const bool has_next = p + 1 < n;
  const uint64_t group_address = index_->Address(p);
  *inferred_end = KernelAddressRule::InferredEnd(
      group_address, has_next ? index_->Address(p + 1) : group_address);
  // Where the group's sizeless members end; each still names its own
  // address.
  const bool inferred_covers =
      address < *inferred_end || address == group_address;
  size_t count = 0;
  auto add = [&](uint32_t i) {
    if (count < cap) out[count] = i;
    ++count;
  };
  const RankedGroup* ranked = nullptr;
  if (!large_groups_.empty()) {
    auto it = std::upper_bound(
        large_groups_.begin(), large_groups_.end(), g0,
        [](uint32_t v, const RankedGroup& g) { return v < g.begin; });
    if (it != large_groups_.begin() && std::prev(it)->begin == g0) {
      ranked = &*std::prev(it);
    }
  }
  if (ranked != nullptr) {
    // Already in Better order; the covering members are a suffix.
    const size_t first = static_cast<size_t>(
        std::upper_bound(ranked->cover_end.begin(), ranked->cover_end.end(),
                         address) -
        ranked->cover_end.begin());
    for (size_t k = first; k < ranked->ranked.size() && count < cap; ++k) {
      add(ranked->ranked[k]);
    }
    count = ranked->ranked.size() - first;
  }
  for (uint32_t i = g0; ranked == nullptr && i <= p; ++i) {
    if (index_->SizeExact(i)) {
      if (address < index_->End(i)) add(i);
    } else if (inferred_covers) {
      add(i);
    }
  }
  const size_t from_group = count;
  if (index_->has_overlaps()) {
    index_->ForEachOverlapCovering(address, [&](uint32_t i) {
      if (i < g0 || i > p) add(i);
    });
  }
  if (count == 0) {
    *reason = has_next ? NotFoundReason::kInGap
                       : NotFoundReason::kPastLastSymbol;
  }
  if (count > cap && count > from_group) {
    // More covering symbols than kept (nested or overlapping extents by the
    // thousand: hostile input): the kept ones must still be the best, so
    // rank them all. Linear in what covers the address, never quadratic.
    std::vector<RankKey> keys;
    keys.reserve(count);
    if (ranked != nullptr) {
      for (size_t k = ranked->ranked.size() - from_group;
           k < ranked->ranked.size(); ++k) {
        keys.push_back(KeyOf(*index_, ranked->ranked[k]));
      }
    } else {
      for (uint32_t i = g0; i <= p; ++i) {
        if (index_->SizeExact(i) ? address < index_->End(i)
                                 : inferred_covers) {
          keys.push_back(KeyOf(*index_, i));
        }
      }
    }
    index_->ForEachOverlapCovering(address, [&](uint32_t i) {
      if (i < g0 || i > p) keys.push_back(KeyOf(*index_, i));
    });
    std::partial_sort(keys.begin(), keys.begin() + cap, keys.end());
    for (size_t k = 0; k < cap; ++k) out[k] = keys[k].symbol;
    if (named != nullptr) {
      *named = from_group > 0 ? out[0] : NestedPadding(g0, p, ranked);
    }
    return count;
  }
  const size_t kept = std::min(count, cap);
  if (kept > 1 && !(ranked != nullptr && count == from_group)) {
    std::sort(out, out + kept,
              [this](uint32_t a, uint32_t b) { return Better(a, b); });
  }
  if (named != nullptr && count > 0) {
    *named = from_group > 0 ? out[0] : NestedPadding(g0, p, ranked);
  }
  return count;
}

uint32_t Symbolizer::NestedPadding(uint32_t g0, uint32_t p,
                                   const RankedGroup* ranked) const {
  // Only enclosing symbols cover the address: each starts below the
  // predecessor's group, whose ELF sizes end before the address. The
  // kernel names the group (get_symbol_pos), by its alias rule.
  if (ranked != nullptr) return ranked->ranked[0];
  uint32_t best = g0;
  for (uint32_t i = g0 + 1; i <= p; ++i) {
    if (BetterAlias(i, best)) best = i;
  }
  return best;
}

LookupResult Symbolizer::Lookup(uint64_t address) const {
  LookupResult r;
  uint32_t found[kMaxCovering];
  uint64_t inferred_end;
  uint32_t named;
  if (Covering(address, found, kMaxCovering, &r.reason, &inferred_end,
               &named) == 0) {
    return r;
  }
  r.found = true;
  // Only symbols of the predecessor's group can have an inferred extent
  // here; overlap symbols are exact.
  FillSymbol(named, &r.symbol, inferred_end);
  r.offset = address - r.symbol.address;
  return r;
}

size_t Symbolizer::LookupAll(uint64_t address,
                             std::vector<SymbolInfo>* out) const {
  out->clear();
  uint32_t found[kMaxCovering];
  NotFoundReason reason;
  uint64_t inferred_end;
  const size_t total =
      Covering(address, found, kMaxCovering, &reason, &inferred_end);
  const size_t count = std::min(total, kMaxCovering);
  out->resize(count);
  for (size_t k = 0; k < count; ++k) {
    FillSymbol(found[k], &(*out)[k], inferred_end);
  }
  return total;
}

uint64_t Symbolizer::InferredEndHint(uint32_t i) const {
  // End(i) of a symbol without an exact size is the address after its
  // alias group's (a search); when i is the last of its group, that is
  // i + 1's address, or its own for the highest symbol.
  if (index_->SizeExact(i)) return kUnknownEnd;
  const uint64_t a = index_->Address(i);
  if (uint64_t{i} + 1 >= index_->symbol_count()) {
    return KernelAddressRule::InferredEnd(a, a);
  }
  const uint64_t next = index_->Address(i + 1);
  return next > a ? KernelAddressRule::InferredEnd(a, next) : kUnknownEnd;
}

void Symbolizer::LookupBatch(absl::Span<const uint64_t> addresses,
                             absl::Span<LookupResult> out) const {
  // LocateBatch picks the symbols (a merge of ascending runs; it answers
  // each address as Locate, which picks Lookup's symbol), a chunk at a
  // time on the stack; each symbol is then filled once per run of
  // addresses in it: what FillSymbol writes depends on the symbol alone
  // (an inferred extent ends where its alias group's successor starts,
  // FillFacts with kUnknownEnd), so a copy is Lookup's answer.
  constexpr size_t kChunk = 256;
  SymbolHit hits[kChunk];
  const LookupResult* prev = nullptr;
  const size_t n = std::min(addresses.size(), out.size());
  for (size_t at = 0; at < n; at += kChunk) {
    const size_t m = std::min(kChunk, n - at);
    LocateBatch(addresses.subspan(at, m), absl::MakeSpan(hits, m));
    for (size_t k = 0; k < m; ++k) {
      const SymbolHit& h = hits[k];
      LookupResult& r = out[at + k];
      if (!h.found()) {
        r.found = false;
        r.reason = h.reason;
        r.offset = 0;
        r.symbol = SymbolInfo();
        continue;
      }
      r.found = true;
      r.reason = NotFoundReason::kNone;
      if (prev != nullptr && prev->symbol.index == h.symbol) {
        // The facts and the name's bytes, not the whole LookupResult.
        static_cast<SymbolFacts&>(r.symbol) = prev->symbol;
        r.symbol.name_length = prev->symbol.name_length;
        std::memcpy(r.symbol.name_buffer, prev->symbol.name_buffer,
                    prev->symbol.name_length);
      } else {
        FillSymbol(h.symbol, &r.symbol, InferredEndHint(h.symbol));
      }
      r.offset = h.offset;
      prev = &r;
    }
  }
}

SymbolHit Symbolizer::Locate(uint64_t address) const {
  if (index_->symbol_count() > 0) {
    SymbolHit hit;
    if (!rule_.IsKernelAddress(address)) {
      hit.reason = NotFoundReason::kNotKernelAddress;
      return hit;
    }
    // One cache line (locate_section.h lines) when it tells all.
    if (LocateSection::Near near; index_->FindNear(address, &near)) {
      if (LocateNear(near, address, &hit)) return hit;
      return LocateCovering(address);
    }
    const std::optional<uint32_t> pred = index_->Predecessor(address);
    if (!pred) {
      hit.reason = NotFoundReason::kBelowFirstSymbol;
      return hit;
    }
    if (LocateAt(address, *pred, &hit)) return hit;
  }
  return LocateCovering(address);
}

Symbolizer::Segment Symbolizer::SegmentOf(uint32_t p) const {
  const AddressSection& as = index_->address_section();
  const size_t k = as.SegmentOf(p);
  Segment seg;
  seg.base = as.SegmentBase(k);
  seg.first = as.SegmentFirst(k);
  seg.end = seg.first + as.SegmentSymbols(k);
  return seg;
}

bool Symbolizer::LocateAt(uint64_t address, uint32_t p, SymbolHit* hit) const {
  return LocateIn(address, p, SegmentOf(p), hit);
}

inline bool Symbolizer::LocateIn(uint64_t address, uint32_t p,
                                 const Segment& seg, SymbolHit* hit) const {
  // Neighbours inside p's segment are read as raw offsets; across a
  // segment edge through Address().
  const AddressSection& as = index_->address_section();
  const uint32_t op = as.Offset(p);
  const uint64_t start = seg.base + op;
  const bool alias_below =
      p != 0 && (p > seg.first ? as.Offset(p - 1) == op
                               : index_->Address(p - 1) == start);
  const bool has_next = p + 1 < index_->symbol_count();
  const uint64_t next = !has_next         ? 0
                        : p + 1 < seg.end ? seg.base + as.Offset(p + 1)
                                          : index_->Address(p + 1);
  return LocateNear({p, alias_below, has_next, start, next}, address, hit);
}

inline bool Symbolizer::LocateNear(const LocateSection::Near& near,
                                   uint64_t address, SymbolHit* hit) const {
  // Fast path for the common case, a symbol alone at its address in an
  // index without overlapping symbols: it is the only candidate, so the
  // ranking of Covering (and its scratch array) is not needed. Answers
  // are Covering's (LocateTest.RandomAgainstLookup).
  const uint32_t p = near.symbol;
  if (index_->has_overlaps() ? !Simple(p) : near.alias_below) return false;
  const ExtentSection& extents = index_->extent_section();
  // Predecessor makes Address(p + 1) > address: an inferred extent
  // covers it unless that is absurdly far (address_rule.h); a symbol
  // without a known end covers only its own address.
  bool covered;
  if (extents.SizeExact(p)) {
    covered = address < near.start + extents.Size(p);  // End(p)
  } else if (address == near.start) {
    covered = true;
  } else if (near.has_next) {
    covered =
        address < KernelAddressRule::InferredEnd(near.start, near.next);
  } else {
    covered = false;
  }
  if (covered) {
    hit->symbol = p;
    hit->reason = NotFoundReason::kNone;
    hit->offset = address - near.start;
  } else {
    hit->symbol = SymbolHit::kNoSymbol;
    hit->reason = near.has_next ? NotFoundReason::kInGap
                                : NotFoundReason::kPastLastSymbol;
    hit->offset = 0;
  }
  return true;
}

SymbolHit Symbolizer::LocateCovering(uint64_t address) const {
  SymbolHit hit;
  uint32_t found[kMaxCovering];
  uint64_t inferred_end;
  uint32_t named;
  if (Covering(address, found, kMaxCovering, &hit.reason, &inferred_end,
               &named) == 0) {
    return hit;
  }
  hit.symbol = named;
  hit.offset = address - index_->Address(named);
  return hit;
}

void Symbolizer::LocateBatch(absl::Span<const uint64_t> addresses,
                             absl::Span<SymbolHit> out) const {
  // A merge with the address column: an address at or above the previous
  // predecessor's address, in its segment, gallops forward from it over the
  // segment's raw 32-bit offsets (+1, +3, +7, +15: the cache lines next to
  // the previous answer's, still warm); an address in the same symbol
  // costs one comparison. Anything else (the first address, going down,
  // another segment, a jump past 15 symbols) searches as Locate. The
  // symbol found is then answered as Locate answers it (LocateIn, else
  // Covering): a merge of the same predecessors, so the same answers
  // (SymbolizerBatchTest).
  const AddressSection& as = index_->address_section();
  const uint64_t count = index_->symbol_count();
  uint32_t p = SymbolHit::kNoSymbol;  // Predecessor of an earlier address
  uint64_t p_address = 0;             // Address(p)
  Segment seg;                        // p's
  const size_t n = std::min(addresses.size(), out.size());
  for (size_t k = 0; k < n; ++k) {
    const uint64_t a = addresses[k];
    bool merged = false;
    if (p != SymbolHit::kNoSymbol && a >= p_address &&
        a - seg.base <= 0xffffffffull && rule_.IsKernelAddress(a)) {
      const uint32_t target = static_cast<uint32_t>(a - seg.base);
      // Offset(lo) <= target; hi: the first symbol above a, or seg.end.
      uint32_t lo = p, hi = seg.end;
      bool near = true;
      for (uint32_t step = 1;; step *= 2) {
        if (step > 8) {
          near = false;
          break;
        }
        const uint64_t probe = uint64_t{lo} + step;
        if (probe >= seg.end) break;
        if (as.Offset(static_cast<uint32_t>(probe)) > target) {
          hi = static_cast<uint32_t>(probe);
          break;
        }
        lo = static_cast<uint32_t>(probe);
      }
      // At the segment's end, the next segment's first symbol must be
      // above a (always, unless the segments are degenerate).
      if (near && (hi < seg.end || seg.end >= count ||
                   index_->Address(seg.end) > a)) {
        while (hi - lo > 1) {
          const uint32_t mid = lo + (hi - lo) / 2;
          if (as.Offset(mid) <= target) {
            lo = mid;
          } else {
            hi = mid;
          }
        }
        p = lo;
        p_address = seg.base + as.Offset(lo);
        merged = true;
      }
    }
    if (!merged && count > 0 && rule_.IsKernelAddress(a)) {
      LocateSection::Near near;
      if (index_->FindNear(a, &near)) {
        p = near.symbol;
        seg = SegmentOf(p);
        p_address = near.start;
        if (!LocateNear(near, a, &out[k])) out[k] = LocateCovering(a);
        continue;
      }
    }
    if (!merged) {
      const std::optional<uint32_t> pred =
          count > 0 && rule_.IsKernelAddress(a) ? index_->Predecessor(a)
                                                : std::nullopt;
      if (!pred) {  // empty index, not a kernel address, below the first
        out[k] = Locate(a);
        continue;
      }
      p = *pred;
      seg = SegmentOf(p);
      p_address = seg.base + as.Offset(p);
    }
    if (!LocateIn(a, p, seg, &out[k])) out[k] = LocateCovering(a);
  }
}

SymbolFacts Symbolizer::Facts(uint32_t index) const {
  SymbolFacts f;
  FillFacts(index, &f, kUnknownEnd);
  f.type = index_->Type(index);
  return f;
}

}  // namespace ksym
