#include "symbolizer/testing/lookup_oracle.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"

namespace ksym {
namespace testutil {
namespace {

std::string Where(uint64_t a) { return absl::StrCat("0x", absl::Hex(a), ": "); }

// "" when equal, else what differs.
std::string Compare(const LookupResult& got, const LookupResult& want) {
  if (got.found != want.found) return absl::StrCat("found ", got.found);
  if (got.reason != want.reason) {
    return absl::StrCat("reason ", static_cast<int>(got.reason), " not ",
                        static_cast<int>(want.reason));
  }
  if (!want.found) return "";
  const SymbolInfo& g = got.symbol;
  const SymbolInfo& w = want.symbol;
  if (g.index != w.index) return absl::StrCat("symbol ", g.index, " not ", w.index);
  if (got.offset != want.offset) return absl::StrCat("offset ", got.offset);
  if (g.address != w.address || g.size != w.size ||
      g.size_exact != w.size_exact || g.type != w.type ||
      g.module_set != w.module_set || g.object != w.object ||
      g.name() != w.name()) {
    return absl::StrCat("facts of ", w.name(), " differ (size ", g.size,
                        " not ", w.size, ")");
  }
  return "";
}

std::string CompareHit(const SymbolHit& got, const SymbolHit& want) {
  if (got.symbol != want.symbol || got.reason != want.reason ||
      got.offset != want.offset) {
    return absl::StrCat("hit (", got.symbol, ", ",
                        static_cast<int>(got.reason), ", ", got.offset,
                        ") not (", want.symbol, ", ",
                        static_cast<int>(want.reason), ", ", want.offset, ")");
  }
  return "";
}

}  // namespace

std::string CheckFastPaths(const Symbolizer& s,
                           const std::vector<uint64_t>& addresses) {
  const IndexReader& r = s.index();
  const uint64_t n = r.symbol_count();
  std::vector<LookupResult> want(addresses.size());
  std::vector<SymbolHit> want_hit(addresses.size());
  for (size_t k = 0; k < addresses.size(); ++k) {
    const uint64_t a = addresses[k];
    // FindNear against the plain search and Address().
    const std::optional<uint32_t> p = r.SearchPredecessor(a);
    LocateSection::Near near;
    const bool found = r.FindNear(a, &near);
    if (found != (p.has_value() && r.has_locate_table())) {
      return absl::StrCat(Where(a), "FindNear found ", found);
    }
    if (found) {
      const bool has_next = *p + 1 < n;
      if (near.symbol != *p || near.start != r.Address(*p) ||
          near.alias_below != (*p > 0 && r.Address(*p - 1) == r.Address(*p)) ||
          near.has_next != has_next ||
          (has_next && near.next != r.Address(*p + 1))) {
        return absl::StrCat(Where(a), "FindNear: symbol ", near.symbol,
                            " not ", *p, " or its neighbours differ");
      }
    }
    if (r.Predecessor(a) != p) return absl::StrCat(Where(a), "Predecessor");
    // Locate against Lookup.
    want[k] = s.Lookup(a);
    want_hit[k] = s.Locate(a);
    SymbolHit from_lookup;
    from_lookup.reason = want[k].reason;
    if (want[k].found) {
      from_lookup.symbol = want[k].symbol.index;
      from_lookup.offset = want[k].offset;
    }
    if (std::string d = CompareHit(want_hit[k], from_lookup); !d.empty()) {
      return absl::StrCat(Where(a), "Locate against Lookup: ", d);
    }
  }
  // The batches, as given and sorted.
  std::vector<size_t> order(addresses.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::vector<size_t> sorted_order = order;
  std::stable_sort(sorted_order.begin(), sorted_order.end(),
                   [&](size_t x, size_t y) { return addresses[x] < addresses[y]; });
  for (const std::vector<size_t>* o : {&order, &sorted_order}) {
    std::vector<uint64_t> batch(o->size());
    for (size_t k = 0; k < o->size(); ++k) batch[k] = addresses[(*o)[k]];
    std::vector<LookupResult> results(batch.size());
    s.LookupBatch(batch, absl::MakeSpan(results));
    std::vector<SymbolHit> hits(batch.size());
    s.LocateBatch(batch, absl::MakeSpan(hits));
    const char* kind = o == &order ? "as given" : "sorted";
    for (size_t k = 0; k < batch.size(); ++k) {
      const size_t i = (*o)[k];
      if (std::string d = Compare(results[k], want[i]); !d.empty()) {
        return absl::StrCat(Where(batch[k]), "LookupBatch (", kind, "): ", d);
      }
      if (std::string d = CompareHit(hits[k], want_hit[i]); !d.empty()) {
        return absl::StrCat(Where(batch[k]), "LocateBatch (", kind, "): ", d);
      }
    }
  }
  return "";
}

std::vector<uint64_t> AddressesAroundSymbols(const Symbolizer& s) {
  const IndexReader& r = s.index();
  const uint64_t n = r.symbol_count();
  std::vector<uint64_t> out;
  out.reserve(6 * n + 2);
  for (uint32_t i = 0; i < n; ++i) {
    const uint64_t a = r.Address(i), end = r.End(i);
    out.push_back(a);
    out.push_back(a - 1);
    out.push_back(a + 1);
    out.push_back(end);
    out.push_back(end - 1);
    if (i + 1 < n) out.push_back(a + (r.Address(i + 1) - a) / 2);
  }
  out.push_back(0);
  out.push_back(~uint64_t{0});
  return out;
}

}  // namespace testutil
}  // namespace ksym
