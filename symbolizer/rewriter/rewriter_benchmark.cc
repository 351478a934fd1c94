// Stream rewriter throughput on 100k-line inputs in the exact formats of
// `perf script -g`, kernel oops traces and the ftrace function tracer,
// against an index of this machine's /proc/kallsyms (run as root):
//
//   bazel run -c opt //symbolizer/rewriter:rewriter_benchmark
//
// Frames are random text addresses, so successive lookups rarely share
// cache lines: a pessimistic case next to real callchains, which repeat.
// KSYM_REWRITE_INPUT=FILE adds BM_File over a saved `perf script` output
// or trace. Counters: lines_per_second and ns_per_line.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "benchmark/benchmark.h"
#include "symbolizer/builder/builder.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/reader.h"
#include "symbolizer/index/writer.h"
#include "symbolizer/query/symbolizer.h"
#include "symbolizer/rewriter/rewriter.h"
#include "symbolizer/sources/file_reader.h"
#include "symbolizer/sources/kallsyms.h"

namespace ksym {
namespace {

constexpr int kLines = 100000;

struct Fixture {
  std::unique_ptr<Symbolizer> symbolizer;
  std::vector<uint64_t> text_addresses;  // random, inside text symbols
  std::vector<std::string> perf_script;
  std::vector<std::string> oops;
  std::vector<std::string> ftrace;
};

Fixture& Fx() {
  static Fixture* f = [] {
    absl::StatusOr<std::string> text = ReadFileToString("/proc/kallsyms");
    absl::StatusOr<std::vector<KallsymsEntry>> entries =
        text.ok() ? ParseKallsyms(*text, "/proc/kallsyms")
                  : absl::StatusOr<std::vector<KallsymsEntry>>(text.status());
    if (!entries.ok()) {
      std::fprintf(stderr, "/proc/kallsyms unusable: %s\n",
                   entries.status().ToString().c_str());
      std::exit(1);
    }
    absl::StatusOr<BuildOutput> out =
        BuildFromEntries(*std::move(entries), {}, {});
    if (!out.ok() || out->catalog.symbols.empty() ||
        out->catalog.symbols.back().address == 0) {
      std::fprintf(stderr, "no addresses in /proc/kallsyms (run as root)\n");
      std::exit(1);
    }
    auto* f = new Fixture;
    f->symbolizer = std::make_unique<Symbolizer>(*IndexReader::FromBuffer(
        *SerializeIndex(out->catalog), "/proc/kallsyms"));
    const Symbolizer& s = *f->symbolizer;
    std::vector<const Symbol*> text_symbols;
    for (const Symbol& sym : out->catalog.symbols) {
      if (IsTextType(sym.type) && sym.size > 0 && sym.size < (1u << 20)) {
        text_symbols.push_back(&sym);
      }
    }
    std::mt19937_64 rng(1);
    auto frame = [&](LookupResult* r) {
      while (true) {
        const Symbol& sym = *text_symbols[rng() % text_symbols.size()];
        const uint64_t a = sym.address + rng() % sym.size;
        *r = s.Lookup(a);
        if (r->found) return a;
      }
    };
    // perf script -g: a sample line, ~10 kernel frames, a user frame, a
    // blank line.
    while (f->perf_script.size() < kLines) {
      f->perf_script.push_back(absl::StrFormat(
          "perf-exec %d [%03d]  3267.%06d:     250000 cpu-clock:ppp: ",
          rng() % 40000, rng() % 2, rng() % 1000000));
      const int depth = 6 + rng() % 10;
      for (int k = 0; k < depth; ++k) {
        LookupResult r;
        const uint64_t a = frame(&r);
        f->perf_script.push_back(
            absl::StrFormat("\t%016x %s+0x%x ([kernel.kallsyms])", a,
                            r.symbol.name(), r.offset));
      }
      f->perf_script.push_back(
          "\t           d4ad7 __GI___execve+0x7 "
          "(/usr/lib/x86_64-linux-gnu/libc.so.6)");
      f->perf_script.push_back("");
    }
    f->perf_script.resize(kLines);
    // Oops call traces: modern frames, some unreliable, dmesg timestamps.
    while (f->oops.size() < kLines) {
      LookupResult r;
      frame(&r);
      f->oops.push_back(
          absl::StrFormat("[  %d.%06d] %s%s+0x%x/0x%x", rng() % 10000,
                          rng() % 1000000, rng() % 4 == 0 ? " ? " : " ",
                          r.symbol.name(), r.offset, r.symbol.size));
    }
    // Function tracer: callee <-caller.
    while (f->ftrace.size() < kLines) {
      LookupResult callee, caller;
      frame(&callee);
      frame(&caller);
      f->ftrace.push_back(absl::StrFormat(
          "            bash-%d    [%03d] .....  %d.%06d: %s <-%s",
          rng() % 40000, rng() % 2, rng() % 10000, rng() % 1000000,
          callee.symbol.name(), caller.symbol.name()));
    }
    return f;
  }();
  return *f;
}

void Run(benchmark::State& state, const std::vector<std::string>& lines) {
  Rewriter rewriter(*Fx().symbolizer);
  std::string out;
  for (auto _ : state) {
    for (const std::string& line : lines) {
      out.clear();
      rewriter.RewriteLine(line, &out);
      benchmark::DoNotOptimize(out.data());
    }
  }
  const double n = static_cast<double>(lines.size()) * state.iterations();
  state.counters["lines_per_second"] =
      benchmark::Counter(n, benchmark::Counter::kIsRate);
  state.counters["ns_per_line"] = benchmark::Counter(
      n, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  const RewriteStats& s = rewriter.stats();
  state.counters["frames_per_line"] =
      static_cast<double>(s.frames) / static_cast<double>(s.lines);
  state.counters["ambiguous_share"] =
      s.frames == 0
          ? 0
          : static_cast<double>(s.ambiguous) / static_cast<double>(s.frames);
}

void BM_PerfScript(benchmark::State& state) { Run(state, Fx().perf_script); }
BENCHMARK(BM_PerfScript)->Unit(benchmark::kMillisecond);

void BM_OopsTrace(benchmark::State& state) { Run(state, Fx().oops); }
BENCHMARK(BM_OopsTrace)->Unit(benchmark::kMillisecond);

void BM_FtraceFunction(benchmark::State& state) { Run(state, Fx().ftrace); }
BENCHMARK(BM_FtraceFunction)->Unit(benchmark::kMillisecond);

void BM_FindFramesOnly(benchmark::State& state) {
  std::vector<FrameSpan> frames;
  for (auto _ : state) {
    for (const std::string& line : Fx().perf_script) {
      FindFrames(line, &frames);
      benchmark::DoNotOptimize(frames.data());
    }
  }
  state.counters["lines_per_second"] = benchmark::Counter(
      static_cast<double>(Fx().perf_script.size()) * state.iterations(),
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FindFramesOnly)->Unit(benchmark::kMillisecond);

void BM_File(benchmark::State& state) {
  static const std::vector<std::string>* lines = [] {
    absl::StatusOr<std::string> text =
        ReadFileToString(std::getenv("KSYM_REWRITE_INPUT"));
    if (!text.ok()) {
      std::fprintf(stderr, "%s\n", text.status().ToString().c_str());
      std::exit(1);
    }
    return new std::vector<std::string>(absl::StrSplit(*text, '\n'));
  }();
  Run(state, *lines);
}

// Registered only when there is a file to read.
const bool kFileBenchmark = [] {
  if (std::getenv("KSYM_REWRITE_INPUT") == nullptr) return false;
  benchmark::RegisterBenchmark("BM_File", BM_File)
      ->Unit(benchmark::kMillisecond);
  return true;
}();

}  // namespace
}  // namespace ksym
