// Whole-pipeline benchmarks on real kallsyms text (this machine's
// /proc/kallsyms, or the testdata sample when it is unreadable):
//
//   bazel run -c opt //symbolizer/query:symbolizer_benchmark
//
// BM_Build reports ns per kallsyms line (parse + catalog + disambiguation
// + serialization); BM_Open is mmap + header/section validation.
// BM_DuplicateName* need no kallsyms: N copies of one name, asked about
// each copy, the per-query way (/0) and from the name's kept findings
// (/1, name_groups.h); ns_per_copy stays flat when the cost is linear.
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/index/writer.h"
#include "symbolizer/query/ambiguity.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/sources/file_reader.h"
#include "symbolizer/sources/kallsyms.h"

namespace ksym {
namespace {

const std::string& KallsymsText() {
  static const std::string* text = [] {
    absl::StatusOr<std::string> t = ReadFileToString("/proc/kallsyms");
    if (!t.ok() || !ParseKallsyms(*t, "k").ok()) {
      std::fprintf(stderr, "/proc/kallsyms unusable; run with a readable one\n");
      std::exit(1);
    }
    return new std::string(*std::move(t));
  }();
  return *text;
}

struct Fixture {
  std::string path;
  std::unique_ptr<Symbolizer> symbolizer;
  std::vector<uint64_t> addresses;  // random, inside the text
  std::vector<std::string> names;   // random existing names
};

Fixture& Fx() {
  static Fixture* f = [] {
    auto* f = new Fixture;
    absl::StatusOr<std::vector<KallsymsEntry>> e =
        ParseKallsyms(KallsymsText(), "/proc/kallsyms");
    absl::StatusOr<BuildOutput> out = BuildFromEntries(*e, {}, {});
    std::string bytes = *SerializeIndex(out->catalog);
    f->path = absl::StrCat("/tmp/ksym-bench-", getpid(), ".ksym");
    (void)WriteFileAtomically(f->path, bytes);
    f->symbolizer = *Symbolizer::Open(f->path);
    std::mt19937_64 rng(1);
    const auto& syms = out->catalog.symbols;
    for (int k = 0; k < 100000; ++k) {
      const Symbol& s = syms[rng() % syms.size()];
      f->addresses.push_back(s.address + (s.size ? rng() % s.size : 0));
      f->names.push_back(syms[rng() % syms.size()].name);
    }
    return f;
  }();
  return *f;
}

void BM_Build(benchmark::State& state) {
  const std::string& text = KallsymsText();
  size_t lines = std::count(text.begin(), text.end(), '\n');
  size_t bytes = 0;
  for (auto _ : state) {
    auto e = ParseKallsyms(text, "/proc/kallsyms");
    auto out = BuildFromEntries(*std::move(e), {}, {});
    auto b = SerializeIndex(out->catalog);
    bytes = b->size();
    benchmark::DoNotOptimize(b->data());
  }
  state.counters["ns_per_line"] = benchmark::Counter(
      static_cast<double>(lines) * state.iterations(),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["bytes_per_symbol"] = static_cast<double>(bytes) / lines;
  state.counters["lines"] = lines;
}
BENCHMARK(BM_Build)->Unit(benchmark::kMillisecond);

void BM_ParseOnly(benchmark::State& state) {
  const std::string& text = KallsymsText();
  size_t lines = std::count(text.begin(), text.end(), '\n');
  for (auto _ : state) {
    auto e = ParseKallsyms(text, "/proc/kallsyms");
    benchmark::DoNotOptimize(e->data());
  }
  state.counters["ns_per_line"] = benchmark::Counter(
      static_cast<double>(lines) * state.iterations(),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_ParseOnly)->Unit(benchmark::kMillisecond);

void BM_Open(benchmark::State& state) {
  const std::string& path = Fx().path;
  for (auto _ : state) {
    auto r = IndexReader::Open(path);
    benchmark::DoNotOptimize(r->get());
  }
}
BENCHMARK(BM_Open)->Unit(benchmark::kMicrosecond);

void BM_OpenVerifyChecksums(benchmark::State& state) {
  const std::string& path = Fx().path;
  for (auto _ : state) {
    auto r = IndexReader::Open(path, {.verify_checksums = true});
    benchmark::DoNotOptimize(r->get());
  }
}
BENCHMARK(BM_OpenVerifyChecksums)->Unit(benchmark::kMicrosecond);

void BM_LookupRandom(benchmark::State& state) {
  Fixture& f = Fx();
  size_t k = 0;
  for (auto _ : state) {
    LookupResult r = f.symbolizer->Lookup(f.addresses[k++ % f.addresses.size()]);
    benchmark::DoNotOptimize(r.offset);
  }
}
BENCHMARK(BM_LookupRandom);

// A stack-trace-like working set: 2,000 distinct addresses, so the index
// pages they touch stay in cache (BM_LookupRandom misses cache on nearly
// every lookup over the whole text).
void BM_LookupWorkingSet(benchmark::State& state) {
  Fixture& f = Fx();
  size_t k = 0;
  for (auto _ : state) {
    LookupResult r = f.symbolizer->Lookup(f.addresses[k++ % 2000]);
    benchmark::DoNotOptimize(r.offset);
  }
}
BENCHMARK(BM_LookupWorkingSet);

void BM_LookupBatchSorted(benchmark::State& state) {
  Fixture& f = Fx();
  std::vector<uint64_t> sorted = f.addresses;
  std::sort(sorted.begin(), sorted.end());
  std::vector<LookupResult> out(sorted.size());
  for (auto _ : state) {
    f.symbolizer->LookupBatch(sorted, absl::MakeSpan(out));
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * sorted.size());
}
BENCHMARK(BM_LookupBatchSorted)->Unit(benchmark::kMillisecond);

// Locate: the symbol index and offset only, no name decoded (what the C
// API's ksym_lookup and Python's lookup_many do).
void BM_LocateRandom(benchmark::State& state) {
  Fixture& f = Fx();
  size_t k = 0;
  for (auto _ : state) {
    SymbolHit h = f.symbolizer->Locate(f.addresses[k++ % f.addresses.size()]);
    benchmark::DoNotOptimize(h.offset);
  }
}
BENCHMARK(BM_LocateRandom);

// The address search alone, random addresses: through the kAddressLocate
// table (/0) and the plain sampled binary search an index without the
// table gets (/1), on the same index; the second argument, when not 0, is
// a working set of that many addresses (cache-resident), as
// BM_LookupWorkingSet.
void BM_PredecessorRandom(benchmark::State& state) {
  Fixture& f = Fx();
  const IndexReader& r = f.symbolizer->index();
  const bool table = state.range(0) == 0;
  if (table && !r.has_locate_table()) {
    state.SkipWithError("index without a locate table");
    return;
  }
  const size_t set = state.range(1) ? state.range(1) : f.addresses.size();
  size_t k = 0;
  for (auto _ : state) {
    const uint64_t a = f.addresses[k];
    k = k + 1 == set ? 0 : k + 1;
    std::optional<uint32_t> p =
        table ? r.Predecessor(a) : r.SearchPredecessor(a);
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_PredecessorRandom)
    ->Args({0, 0})->Args({1, 0})->Args({0, 2000})->Args({1, 2000});

// Locate over a working set of 2,000 addresses (cache-resident), as
// BM_LookupWorkingSet: what is left when the index's lines are cached.
void BM_LocateWorkingSet(benchmark::State& state) {
  Fixture& f = Fx();
  size_t k = 0;
  for (auto _ : state) {
    SymbolHit h = f.symbolizer->Locate(f.addresses[k]);
    k = k + 1 == 2000 ? 0 : k + 1;
    benchmark::DoNotOptimize(h.offset);
  }
}
BENCHMARK(BM_LocateWorkingSet);

void BM_LocateBatchRandom(benchmark::State& state) {
  Fixture& f = Fx();
  std::vector<SymbolHit> out(f.addresses.size());
  for (auto _ : state) {
    f.symbolizer->LocateBatch(f.addresses, absl::MakeSpan(out));
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * f.addresses.size());
}
BENCHMARK(BM_LocateBatchRandom)->Unit(benchmark::kMillisecond);

void BM_LocateBatchSorted(benchmark::State& state) {
  Fixture& f = Fx();
  std::vector<uint64_t> sorted = f.addresses;
  std::sort(sorted.begin(), sorted.end());
  std::vector<SymbolHit> out(sorted.size());
  for (auto _ : state) {
    f.symbolizer->LocateBatch(sorted, absl::MakeSpan(out));
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * sorted.size());
}
BENCHMARK(BM_LocateBatchSorted)->Unit(benchmark::kMillisecond);

void BM_ResolveByName(benchmark::State& state) {
  Fixture& f = Fx();
  size_t k = 0;
  Query q;
  for (auto _ : state) {
    q.name = f.names[k++ % f.names.size()];
    std::vector<Candidate> c = f.symbolizer->Resolve(q);
    benchmark::DoNotOptimize(c.data());
  }
}
BENCHMARK(BM_ResolveByName);

void BM_ResolveWorkingSet(benchmark::State& state) {
  Fixture& f = Fx();
  size_t k = 0;
  Query q;
  for (auto _ : state) {
    q.name = f.names[k++ % 2000];
    std::vector<Candidate> c = f.symbolizer->Resolve(q);
    benchmark::DoNotOptimize(c.data());
  }
}
BENCHMARK(BM_ResolveWorkingSet);

void BM_ResolveQueryText(benchmark::State& state) {
  Fixture& f = Fx();
  size_t k = 0;
  for (auto _ : state) {
    auto c = f.symbolizer->Resolve(f.names[k++ % f.names.size()]);
    benchmark::DoNotOptimize(c->data());
  }
}
BENCHMARK(BM_ResolveQueryText);

// An index of `copies` text symbols named "dup", 0x40 apart, written once
// per size; returns its path.
const std::string& DuplicateNameIndex(uint32_t copies) {
  static auto* paths = new std::map<uint32_t, std::string>;
  std::string& path = (*paths)[copies];
  if (!path.empty()) return path;
  Catalog c;
  const uint64_t base = 0xffffffff81000000;
  c.symbols.push_back({.address = base, .type = 'T', .name = "_text"});
  for (uint32_t k = 0; k < copies; ++k) {
    c.symbols.push_back(
        {.address = base + 0x1000 + 0x40 * k, .type = 't', .name = "dup"});
  }
  c.symbols.push_back(
      {.address = base + 0x1000 + 0x40 * copies, .type = 'T', .name = "after"});
  c.FinalizeSizes();
  path = absl::StrCat("/tmp/ksym-bench-dup-", getpid(), "-", copies, ".ksym");
  (void)WriteFileAtomically(path, *SerializeIndex(c));
  return path;
}

// Opens the index afresh (untimed), so that each iteration pays for the
// one walk over the name too; range(1) == 0 asks the per-query way.
std::unique_ptr<Symbolizer> OpenDuplicates(benchmark::State& state) {
  state.PauseTiming();
  std::unique_ptr<Symbolizer> s =
      *Symbolizer::Open(DuplicateNameIndex(state.range(0)));
  if (state.range(1) == 0) s->set_large_name_group_for_testing(~0u);
  state.ResumeTiming();
  return s;
}

void CountPerCopy(benchmark::State& state) {
  state.counters["ns_per_copy"] = benchmark::Counter(
      static_cast<double>(state.range(0)) * state.iterations(),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// What list, why and every printed frame ask of each symbol: the
// ambiguity marker.
void BM_DuplicateNameAmbiguity(benchmark::State& state) {
  for (auto _ : state) {
    std::unique_ptr<Symbolizer> s = OpenDuplicates(state);
    for (uint32_t k = 1; k <= state.range(0); ++k) {
      benchmark::DoNotOptimize(Ambiguity(*s, s->Symbol(k)).candidates);
    }
  }
  CountPerCopy(state);
}
BENCHMARK(BM_DuplicateNameAmbiguity)
    ->Unit(benchmark::kMillisecond)
    ->Args({1000, 0})->Args({2000, 0})
    ->Args({1000, 1})->Args({4000, 1})->Args({16000, 1})->Args({64000, 1});

// `resolve --unique dup`: the error lists a selecting query per copy.
void BM_DuplicateNameResolveUnique(benchmark::State& state) {
  for (auto _ : state) {
    std::unique_ptr<Symbolizer> s = OpenDuplicates(state);
    absl::StatusOr<Candidate> c = s->ResolveUnique("dup");
    benchmark::DoNotOptimize(c.status().message().data());
  }
  CountPerCopy(state);
}
BENCHMARK(BM_DuplicateNameResolveUnique)
    ->Unit(benchmark::kMillisecond)
    ->Args({1000, 0})->Args({2000, 0})
    ->Args({1000, 1})->Args({4000, 1})->Args({16000, 1})->Args({64000, 1});

}  // namespace
}  // namespace ksym
