// Parses synthetic 300k-line linker maps shaped like a distro vmlinux.map:
// per input section an object under a kbuild path, one or two symbols,
// *fill* now and then, every third section name long enough to wrap (GNU ld),
// pattern lines between output sections, and (as in real maps, which are
// then not in address order) per-CPU and debug sections at address 0.
//
//   bazel run -c opt //symbolizer/sources/linkmap:linker_map_benchmark

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "symbolizer/sources/linkmap/linker_map.h"

namespace ksym {
namespace {

constexpr int kLines = 300000;

std::string Object(int i) {
  static const char* const kDirs[] = {
      "fs/ext4",  "kernel/sched",   "mm", "drivers/net/ethernet/intel/e1000e",
      "net/ipv4", "arch/x86/kernel"};
  return absl::StrFormat("%s/file%d.o", kDirs[i % 6], i / 6);
}

std::string SyntheticGnuMap(int* sections) {
  std::string text =
      "Archive member included to satisfy reference by file (symbol)\n\n"
      "Memory Configuration\n\n"
      "Linker script and memory map\n\n";
  uint64_t address = 0xffffffff81000000;
  int lines = 6;
  *sections = 0;
  for (int i = 0; lines < kLines; ++i) {
    if (i % 2000 == 0) {
      absl::StrAppendFormat(&text,
                            "\n.text%d          0x%016x   0x200000\n"
                            " *(.text .text.*)\n",
                            i, address);
      lines += 3;
    }
    std::string object = Object(i / 3);
    uint64_t size = 0x40 + (i * 37) % 0x400;
    if (i % 3 == 0) {
      absl::StrAppendFormat(&text,
                            " .text.function_with_a_long_name_%d\n"
                            "                0x%016x %#10x %s\n",
                            i, address, size, object);
      lines += 2;
    } else {
      absl::StrAppendFormat(&text, " .text          0x%016x %#10x %s\n",
                            address, size, object);
      lines += 1;
    }
    ++*sections;
    absl::StrAppendFormat(
        &text, "                0x%016x                sym_%d\n", address, i);
    ++lines;
    if (i % 2 == 0) {
      absl::StrAppendFormat(&text,
                            "                0x%016x                other_%d\n",
                            address + 0x10, i);
      ++lines;
    }
    address += size;
    if (i % 4 == 0) {
      absl::StrAppendFormat(&text, " *fill*         0x%016x        0x4 \n",
                            address);
      address += 4;
      ++lines;
    }
  }
  absl::StrAppend(&text, "\n.data..percpu   0x0000000000000000    0x2b000\n");
  for (int i = 0; i < 200; ++i) {
    absl::StrAppendFormat(&text, " .data..percpu  0x%016x      0x100 %s\n",
                          i * 0x100, Object(i));
    ++*sections;
  }
  return text;
}

std::string SyntheticLldMap(int* sections) {
  std::string text =
      "             VMA              LMA     Size Align Out     In      "
      "Symbol\n";
  uint64_t address = 0xffffffff81000000;
  int lines = 1;
  *sections = 0;
  for (int i = 0; lines < kLines; ++i) {
    if (i % 2000 == 0) {
      absl::StrAppendFormat(&text, "%16x %16x %8x %5d .text%d\n", address,
                            address - 0xffffffff80000000, 0x200000, 4096, i);
      ++lines;
    }
    uint64_t size = 0x40 + (i * 37) % 0x400;
    absl::StrAppendFormat(
        &text, "%16x %16x %8x %5d         vmlinux.a(%s):(.text.f%d)\n", address,
        address - 0xffffffff80000000, size, 16, Object(i / 3), i);
    ++*sections;
    absl::StrAppendFormat(&text, "%16x %16x %8x %5d                 sym_%d\n",
                          address, address - 0xffffffff80000000, 0, 1, i);
    lines += 2;
    address += size;
  }
  absl::StrAppendFormat(&text, "%16x %16x %8x %5d .debug_info\n", 0, 0,
                        0x100000, 1);
  for (int i = 0; i < 200; ++i) {
    absl::StrAppendFormat(&text, "%16x %16x %8x %5d         %s:(.debug_info)\n",
                          i * 0x100, i * 0x100, 0x100, 1, Object(i));
    ++*sections;
  }
  return text;
}

void Run(benchmark::State& state, const std::string& text, int sections) {
  for (auto _ : state) {
    auto map = ParseLinkerMap(text, "synthetic");
    if (!map.ok() || map->sections.size() != static_cast<size_t>(sections)) {
      state.SkipWithError("parse failed");
      break;
    }
    benchmark::DoNotOptimize(map->sections.data());
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(text.size()));
  state.counters["ns_per_line"] = benchmark::Counter(
      static_cast<double>(kLines) * state.iterations(),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["sections"] = sections;
}

void BM_ParseGnuLdMap(benchmark::State& state) {
  int sections = 0;
  const std::string text = SyntheticGnuMap(&sections);
  Run(state, text, sections);
}
BENCHMARK(BM_ParseGnuLdMap)->Unit(benchmark::kMillisecond);

void BM_ParseLldMap(benchmark::State& state) {
  int sections = 0;
  const std::string text = SyntheticLldMap(&sections);
  Run(state, text, sections);
}
BENCHMARK(BM_ParseLldMap)->Unit(benchmark::kMillisecond);

void BM_ObjectRanges(benchmark::State& state) {
  int sections = 0;
  auto map = ParseLinkerMap(SyntheticGnuMap(&sections), "synthetic");
  if (!map.ok()) {
    state.SkipWithError("parse failed");
    return;
  }
  for (auto _ : state) {
    std::vector<ObjectRangeLite> ranges = ObjectRanges(*map);
    benchmark::DoNotOptimize(ranges.data());
  }
}
BENCHMARK(BM_ObjectRanges)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ksym

BENCHMARK_MAIN();
