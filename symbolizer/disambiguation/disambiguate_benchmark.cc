// Disambiguate() on a catalog shaped like a distro kernel: ~200k symbols
// (two thirds text), ~1000 names occurring 2-5 times, objects with shared
// basenames (core.o, main.o) under different directories.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/disambiguation/disambiguate.h"

namespace ksym {
namespace {

Catalog DistroLikeCatalog(size_t count, size_t duplicate_names) {
  std::mt19937 rng(42);
  const char* dirs[] = {"kernel", "mm",   "fs",    "drivers", "net",
                        "sched",  "arch", "x86",   "events",  "block",
                        "crypto", "lib",  "sound", "ext4",    "usb"};
  const char* files[] = {"core.o", "main.o", "util.o", "init.o", "super.o"};
  Catalog catalog;
  std::vector<uint32_t> objects;
  for (int i = 0; i < 3000; ++i) {
    std::string path;
    for (uint32_t depth = 1 + rng() % 4; depth > 0; --depth) {
      absl::StrAppend(&path, dirs[rng() % 15], "/");
    }
    absl::StrAppend(&path, (i % 2) ? absl::StrCat("f", i, ".o")
                                   : std::string(files[rng() % 5]));
    objects.push_back(catalog.InternObject(path));
  }
  std::vector<uint32_t> module_sets = {kNoModules};
  for (int m = 0; m < 200; ++m) {
    module_sets.push_back(catalog.InternModuleSet({absl::StrCat("mod", m)}));
  }
  uint64_t address = 0xffffffff81000000;
  size_t duplicated = 0;
  while (catalog.symbols.size() < count) {
    Symbol s;
    s.address = address;
    address += 0x40;
    s.type = (rng() % 3) ? 't' : 'd';
    s.module_set = (rng() % 4) ? kNoModules : module_sets[rng() % 201];
    s.object = objects[rng() % objects.size()];
    if (duplicated < duplicate_names && s.type == 't') {
      int copies = 2 + rng() % 4;
      s.name = absl::StrCat("dup_", duplicated++);
      for (int c = 0; c < copies; ++c) {
        catalog.symbols.push_back(s);
        s.address = address;
        address += 0x40;
        s.object = objects[rng() % objects.size()];
      }
      continue;
    }
    s.name = absl::StrCat("sym_", catalog.symbols.size());
    catalog.symbols.push_back(s);
  }
  return catalog;
}

void BM_Disambiguate(benchmark::State& state) {
  Catalog catalog = DistroLikeCatalog(state.range(0), 1000);
  size_t annotated = 0;
  for (auto _ : state) {
    DisambiguationReport report = Disambiguate(catalog);
    annotated = report.annotated_objects;
    benchmark::DoNotOptimize(report);
  }
  state.counters["annotated_objects"] = annotated;
  state.SetItemsProcessed(state.iterations() * catalog.symbols.size());
}
BENCHMARK(BM_Disambiguate)->Arg(200000)->Unit(benchmark::kMillisecond);

void BM_QualifiedName(benchmark::State& state) {
  Catalog catalog = DistroLikeCatalog(200000, 1000);
  Disambiguate(catalog);
  for (auto _ : state) {
    size_t bytes = 0;
    for (const Symbol& s : catalog.symbols) {
      bytes += QualifiedName(catalog, s).size();
    }
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(state.iterations() * catalog.symbols.size());
}
BENCHMARK(BM_QualifiedName)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ksym
