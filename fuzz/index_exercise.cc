#include "fuzz/index_exercise.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "symbolizer/query/query_parser.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {
namespace {

// Bounds that keep one run fast whatever the header claims.
constexpr uint64_t kMaxSampledSymbols = 64;
constexpr uint64_t kMaxLines = 2048;
constexpr uint64_t kMaxListed = 256;
constexpr uint64_t kLargeIndexSymbols = 16384;

[[noreturn]] void Fail(const char* what, uint64_t value) {
  std::fprintf(stderr, "index fuzzer: %s (0x%llx)\n", what,
               static_cast<unsigned long long>(value));
  std::abort();
}

}  // namespace

void ExerciseIndex(std::unique_ptr<IndexReader> index,
                   absl::string_view input) {
  // Lookups must be safe on any index that opens. Answers must be right
  // when VerifyStructure passes (sorted addresses, extents) and, for names,
  // when the checksums pass too: VerifyStructure does not promise to catch
  // every consistent-looking damage a checksum would.
  const bool structure_ok = index->VerifyStructure().ok();
  const bool verified = structure_ok && index->VerifyChecksums().ok();
  (void)index->sections();
  (void)index->segments();
  const uint64_t n = index->symbol_count();

  for (uint32_t set = 0; set < index->module_set_count() && set < kMaxListed;
       ++set) {
    const size_t k = index->ModuleSetSize(set);
    for (size_t j = 0; j < k && j < kMaxListed; ++j) {
      (void)index->ModuleName(set, j);
    }
    (void)index->ModuleSetLoadable(set);
  }
  for (uint32_t o = 0; o < index->object_count() && o < kMaxListed; ++o) {
    (void)index->ObjectPath(o);
    (void)index->ObjectAnnotation(o);
  }

  // Probe addresses: around sampled symbols, and 8-byte words of the input.
  std::vector<uint64_t> probes = {0, 1, ~uint64_t{0}, 0xffffffff81000000};
  std::vector<uint32_t> sampled;
  const uint64_t step = n / kMaxSampledSymbols + 1;
  for (uint64_t i = 0; i < n; i += step) {
    const uint32_t s = static_cast<uint32_t>(i);
    sampled.push_back(s);
    const uint64_t a = index->Address(s), e = index->End(s);
    probes.insert(probes.end(), {a, a - 1, a + 1, e, e - 1});
  }
  // On a large index (the 70,000-alias sample) an input word can land where
  // thousands of symbols overlap, and each such probe ranks them all: fewer.
  const size_t max_probes = n > kLargeIndexSymbols ? 64 : 512;
  for (size_t off = 0; off + 8 <= input.size() && probes.size() < max_probes;
       off += 8) {
    uint64_t v;
    std::memcpy(&v, input.data() + off, 8);
    probes.push_back(v);
  }
  // Each address once: a repeated probe finds nothing new, and on an index
  // where thousands of symbols cover one address (the large alias sample)
  // every repeat ranks them all again, which made one input take minutes.
  {
    absl::flat_hash_set<uint64_t> seen;
    size_t kept = 0;
    for (uint64_t addr : probes) {
      if (seen.insert(addr).second) probes[kept++] = addr;
    }
    probes.resize(kept);
  }

  // Line lookups are bounds-checked on any index that opens: an error or
  // an answer, never a read outside the mapping.
  LineFrames frames;
  const LineSection& lines = index->lines();
  const uint64_t slide = static_cast<uint64_t>(index->kaslr_offset());
  for (uint64_t addr : probes) {
    (void)lines.Symbolize(addr, &frames);
    (void)lines.Symbolize(addr - slide, &frames);
  }
  if (lines.present() && lines.function_count() < 4096) {
    (void)lines.VerifyAll();
  }
  // The modules' line section: the same layout, asked at runtime addresses.
  const LineSection& module_lines = index->module_lines();
  for (uint64_t addr : probes) (void)module_lines.Symbolize(addr, &frames);
  if (module_lines.present() && module_lines.function_count() < 4096) {
    (void)module_lines.VerifyAll();
  }

  // The kAddressLocate table, when it opened, answers as the plain search
  // wherever the addresses are sorted.
  if (structure_ok) {
    for (uint64_t addr : probes) {
      const std::optional<uint32_t> p = index->SearchPredecessor(addr);
      if (index->Predecessor(addr) != p) {
        Fail("Predecessor: the locate table disagrees with the search", addr);
      }
      // FindNear: the same symbol and its neighbours' addresses.
      LocateSection::Near near;
      if (index->FindNear(addr, &near)) {
        const uint64_t n = index->symbol_count();
        if (!p || near.symbol != *p ||
            near.start != index->Address(*p) ||
            near.alias_below !=
                (*p > 0 && index->Address(*p - 1) == near.start) ||
            near.has_next != (*p + 1 < n) ||
            (near.has_next && near.next != index->Address(*p + 1))) {
          Fail("FindNear disagrees with the search", addr);
        }
      }
    }
  }

  Symbolizer symbolizer(std::move(index));
  const IndexReader& r = symbolizer.index();
  std::vector<SymbolInfo> all;
  std::vector<LookupResult> single;
  for (uint64_t addr : probes) {
    LookupResult result = symbolizer.Lookup(addr);
    // A damaged index may answer wrongly (reader.h); one that passes
    // VerifyStructure must not.
    if (result.found && structure_ok) {
      if (result.symbol.index >= n) Fail("Lookup: index out of range", addr);
      if (result.symbol.address > addr) Fail("Lookup: symbol above", addr);
      if (result.offset != addr - result.symbol.address) {
        Fail("Lookup: wrong offset", addr);
      }
    }
    symbolizer.LookupAll(addr, &all);
    if (structure_ok && result.found != !all.empty()) {
      Fail("LookupAll disagrees", addr);
    }
    // In the padding after a nested label, Lookup names the nearest
    // symbol below past its size, and only enclosing symbols cover.
    const bool past_size =
        result.found && Symbolizer::PastSize(result.symbol, result.offset);
    if (structure_ok && result.found && !past_size &&
        all[0].index != result.symbol.index) {
      Fail("LookupAll: best is not Lookup's", addr);
    }
    if (structure_ok && past_size &&
        all[0].address >= result.symbol.address) {
      Fail("Lookup past its size where a nearer symbol covers", addr);
    }
    single.push_back(result);
  }
  std::vector<LookupResult> batch(probes.size());
  symbolizer.LookupBatch(probes, absl::MakeSpan(batch));
  std::vector<size_t> order(probes.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return probes[a] < probes[b]; });
  std::vector<uint64_t> sorted;
  for (size_t i : order) sorted.push_back(probes[i]);
  std::vector<LookupResult> sorted_batch(sorted.size());
  symbolizer.LookupBatch(sorted, absl::MakeSpan(sorted_batch));
  if (verified) {
    for (size_t i = 0; i < probes.size(); ++i) {
      const LookupResult& a = single[i];
      const LookupResult& b = batch[i];
      const LookupResult& c =
          sorted_batch[std::find(order.begin(), order.end(), i) -
                       order.begin()];
      for (const LookupResult* x : {&b, &c}) {
        if (x->found != a.found ||
            (a.found && x->symbol.index != a.symbol.index)) {
          Fail("LookupBatch disagrees with Lookup", probes[i]);
        }
      }
    }
  }

  // LocateBatch, sorted (a merge) and not, answers as Locate.
  std::vector<SymbolHit> hits(probes.size()), sorted_hits(sorted.size());
  symbolizer.LocateBatch(probes, absl::MakeSpan(hits));
  symbolizer.LocateBatch(sorted, absl::MakeSpan(sorted_hits));
  if (structure_ok) {
    for (size_t i = 0; i < probes.size(); ++i) {
      const SymbolHit one = symbolizer.Locate(probes[i]);
      if (hits[i].symbol != one.symbol || hits[i].offset != one.offset) {
        Fail("LocateBatch disagrees with Locate", probes[i]);
      }
      const SymbolHit merged = symbolizer.Locate(sorted[i]);
      if (sorted_hits[i].symbol != merged.symbol ||
          sorted_hits[i].offset != merged.offset) {
        Fail("LocateBatch (sorted) disagrees with Locate", sorted[i]);
      }
    }
  }

  // Names: raw, as queries, qualified, and the kallmodsyms lines.
  for (uint32_t i : sampled) {
    const std::string name = r.NameString(i);
    Query q;
    q.name = name;
    std::vector<Candidate> by_name = symbolizer.Resolve(q);
    const SymbolInfo s = symbolizer.Symbol(i);
    if (verified && name.size() < SymbolInfo::kNameCapacity) {
      bool found = false;
      for (const Candidate& c : by_name) found |= c.symbol.index == i;
      if (!found) Fail("Resolve(name) misses the symbol", i);
    }
    (void)symbolizer.Resolve(name);
    std::vector<Candidate> ambiguous;
    (void)symbolizer.ResolveUnique(symbolizer.QualifiedName(s), &ambiguous);
    (void)symbolizer.Resolve(name + "+0x10/0x40");
    (void)symbolizer.DisplayModules(s);
    (void)symbolizer.DisplayObject(s);
  }
  for (uint64_t i = 0; i < n && i < kMaxLines; ++i) {
    const std::string line =
        symbolizer.KallmodsymsLine(symbolizer.Symbol(static_cast<uint32_t>(i)));
    if (line.empty()) Fail("KallmodsymsLine: empty", i);
  }
}

}  // namespace ksym
