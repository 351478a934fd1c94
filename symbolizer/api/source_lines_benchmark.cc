// Lookup with source lines in process, per address, on a real index built
// with its line table:
//
//   bazel run //symbolizer/api:source_lines_benchmark -- INDEX
//
// 100,000 random addresses inside functions (text symbols with an ELF
// size), in random order (BM_*Random: the whole index, mostly cache
// misses) and over a 2,000-address working set (a stack trace's). Lookup
// alone is the baseline; LookupLines is what `lookup --lines` and the C
// API's ksym_lookup_location compute per address (Lookup +
// LocateSourceLines); Symbolize the line section's decode alone.
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "symbolizer/api/source_lines.h"
#include "symbolizer/query/symbolizer.h"

namespace ksym {
namespace {

std::string* index_path = nullptr;

struct Fixture {
  std::unique_ptr<Symbolizer> symbolizer;
  std::vector<uint64_t> addresses;
};

Fixture& Fx() {
  static Fixture* f = [] {
    auto* f = new Fixture;
    absl::StatusOr<std::unique_ptr<Symbolizer>> s =
        Symbolizer::Open(*index_path);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.status().ToString().c_str());
      std::exit(1);
    }
    f->symbolizer = *std::move(s);
    if (!f->symbolizer->index().lines().present()) {
      std::fprintf(stderr, "%s has no line table\n", index_path->c_str());
      std::exit(1);
    }
    std::vector<SymbolFacts> text;
    for (uint32_t k = 0; k < f->symbolizer->index().symbol_count(); ++k) {
      SymbolFacts facts = f->symbolizer->Facts(k);
      if ((facts.type == 't' || facts.type == 'T') && facts.size_exact &&
          facts.size > 0) {
        text.push_back(facts);
      }
    }
    std::mt19937_64 rng(18);
    for (int k = 0; k < 100000; ++k) {
      const SymbolFacts& s = text[rng() % text.size()];
      f->addresses.push_back(s.address + rng() % s.size);
    }
    return f;
  }();
  return *f;
}

void Run(benchmark::State& state, size_t n, bool lines) {
  Fixture& f = Fx();
  size_t k = 0, found = 0;
  for (auto _ : state) {
    LookupResult r = f.symbolizer->Lookup(f.addresses[k++ % n]);
    if (lines && r.found) {
      SourceLines l = LocateSourceLines(*f.symbolizer, r.symbol, r.offset);
      found += l.state == SourceLines::State::kFound;
      benchmark::DoNotOptimize(l.frames.data());
    }
    benchmark::DoNotOptimize(r.offset);
  }
  if (lines) {
    state.counters["with_lines"] =
        static_cast<double>(found) / static_cast<double>(state.iterations());
  }
}

void BM_LookupRandom(benchmark::State& state) {
  Run(state, Fx().addresses.size(), false);
}
BENCHMARK(BM_LookupRandom);

void BM_LookupLinesRandom(benchmark::State& state) {
  Run(state, Fx().addresses.size(), true);
}
BENCHMARK(BM_LookupLinesRandom);

void BM_LookupWorkingSet(benchmark::State& state) { Run(state, 2000, false); }
BENCHMARK(BM_LookupWorkingSet);

void BM_LookupLinesWorkingSet(benchmark::State& state) {
  Run(state, 2000, true);
}
BENCHMARK(BM_LookupLinesWorkingSet);

// The line section alone (static addresses: a static index's own).
void Symbolize(benchmark::State& state, size_t n) {
  Fixture& f = Fx();
  const LineSection& lines = f.symbolizer->index().lines();
  LineFrames frames;
  size_t k = 0;
  for (auto _ : state) {
    frames.clear();
    absl::StatusOr<bool> found = lines.Symbolize(f.addresses[k++ % n], &frames);
    benchmark::DoNotOptimize(found.ok());
    benchmark::DoNotOptimize(frames.data());
  }
}

void BM_SymbolizeRandom(benchmark::State& state) {
  Symbolize(state, Fx().addresses.size());
}
BENCHMARK(BM_SymbolizeRandom);

void BM_SymbolizeWorkingSet(benchmark::State& state) { Symbolize(state, 2000); }
BENCHMARK(BM_SymbolizeWorkingSet);

}  // namespace
}  // namespace ksym

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: source_lines_benchmark [--benchmark_...] "
                         "INDEX (a static index built with lines)\n");
    return 2;
  }
  ksym::index_path = new std::string(argv[1]);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
