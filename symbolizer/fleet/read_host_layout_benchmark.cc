// The cost of a host layout record (ksym layout) without process start:
// ReadHostLayout on a root and the two formats of its record.
//
//   KSYM_LAYOUT_ROOT=/tmp/root bazel run //symbolizer/fleet:read_host_layout_benchmark
//
// KSYM_LAYOUT_ROOT unset reads this machine ("/").
#include <cstdlib>
#include <string>

#include "absl/status/statusor.h"
#include "benchmark/benchmark.h"
#include "symbolizer/fleet/host_layout.h"
#include "symbolizer/fleet/read_host_layout.h"

namespace ksym {
namespace {

std::string RootFromEnv() {
  const char* r = std::getenv("KSYM_LAYOUT_ROOT");
  return r != nullptr ? r : "/";
}

void BM_ReadHostLayout(benchmark::State& state) {
  const std::string root = RootFromEnv();
  size_t sections = 0;
  for (auto _ : state) {
    absl::StatusOr<HostLayout> l = ReadHostLayout(root);
    if (!l.ok()) {
      state.SkipWithError(std::string(l.status().message()).c_str());
      return;
    }
    sections = 0;
    for (const LayoutModule& m : l->modules) sections += m.sections.size();
    benchmark::DoNotOptimize(l->text_address);
  }
  state.counters["sections"] = static_cast<double>(sections);
}
BENCHMARK(BM_ReadHostLayout)->Unit(benchmark::kMicrosecond);

void BM_ReadAndFormat(benchmark::State& state) {
  const std::string root = RootFromEnv();
  const bool json = state.range(0) != 0;
  size_t bytes = 0;
  for (auto _ : state) {
    absl::StatusOr<HostLayout> l = ReadHostLayout(root);
    if (!l.ok()) {
      state.SkipWithError(std::string(l.status().message()).c_str());
      return;
    }
    const std::string out = json ? HostLayoutJson(*l) : FormatHostLayout(*l);
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_ReadAndFormat)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace ksym

BENCHMARK_MAIN();
