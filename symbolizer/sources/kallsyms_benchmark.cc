// Parses a synthetic /proc/kallsyms of 120k lines shaped like a real one:
// mostly text symbols, names of 5-40 characters (24 on average, as on a
// 6.18 x86_64 kernel), one line in 40 with a module.
//
//   bazel run -c opt //symbolizer/sources:kallsyms_benchmark

#include <cstdint>
#include <string>

#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "symbolizer/sources/kallsyms.h"

namespace ksym {
namespace {

constexpr int kLines = 120000;

std::string SyntheticKallsyms() {
  static const char kTypes[] = "TtTtTtDdRrBbWt";
  std::string text;
  uint64_t address = 0xffffffff81000000;
  uint32_t seed = 12345;
  for (int i = 0; i < kLines; ++i) {
    seed = seed * 1103515245u + 12345u;
    address += 0x10 + (seed >> 20) % 0x400;
    std::string name = absl::StrFormat("s%d_", i);
    name.append((seed >> 8) % 36, 'a' + i % 26);
    if (i % 40 == 0) {
      absl::StrAppendFormat(&text, "%016x %c %s\t[%s]\n", address,
                            kTypes[i % 14], name, "ext4");
    } else {
      absl::StrAppendFormat(&text, "%016x %c %s\n", address, kTypes[i % 14],
                            name);
    }
  }
  return text;
}

void BM_ParseKallsyms(benchmark::State& state) {
  const std::string text = SyntheticKallsyms();
  for (auto _ : state) {
    auto entries = ParseKallsyms(text, "synthetic");
    if (!entries.ok() || entries->size() != kLines) {
      state.SkipWithError("parse failed");
      break;
    }
    benchmark::DoNotOptimize(entries->data());
    // Freeing 120k names is the caller's cost, not the parser's.
    state.PauseTiming();
    entries = std::vector<KallsymsEntry>();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kLines);
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(text.size()));
  state.counters["ns_per_line"] = benchmark::Counter(
      static_cast<double>(kLines) * state.iterations(),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_ParseKallsyms)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ksym
