/* C API lookup speed, CPU time per call:
 *   bazel run -c opt //capi:capi_benchmark -- INDEX
 * (INDEX: e.g. `ksym build --kallsyms /proc/kallsyms -o k.ksym`). Times
 * ksym_lookup on 1M random addresses inside the symbols' extents (a cold
 * cache for every lookup), the same on a 2,000-address working set,
 * ksym_lookup_batch on them, the same addresses sorted (the batch a
 * profiler has after sorting its samples), ksym_format_frame, and, on an
 * index with a line table, ksym_lookup_location (frames into an array of
 * 16) and ksym_format_location. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ksym/ksym.h"

static double cpu_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rng(void) { /* xorshift64: fixed seed, repeatable */
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static int cmp_u64(const void *a, const void *b) {
  const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  struct ksym_index *idx;
  if (argc != 2 || ksym_open(argv[1], &idx) != 0) {
    fprintf(stderr, "usage: capi_benchmark INDEX (%s)\n", ksym_last_error());
    return 2;
  }
  struct ksym_info info = {.type_size = sizeof(info)};
  ksym_index_info(idx, &info);
  const size_t n = 1000000;
  uint64_t *addrs = malloc(n * sizeof(*addrs));
  struct ksym_hit *hits = malloc(n * sizeof(*hits));
  for (size_t k = 0; k < n; ++k) {
    struct ksym_symbol s = {.type_size = sizeof(s)};
    ksym_symbol_info(idx, (uint32_t)(rng() % info.symbol_count), &s);
    addrs[k] = s.address + (s.size ? rng() % s.size : 0);
  }
  uint64_t *sorted = malloc(n * sizeof(*sorted));
  for (size_t k = 0; k < n; ++k) sorted[k] = addrs[k];
  qsort(sorted, n, sizeof(*sorted), cmp_u64);
  uint64_t found = 0;
  for (int round = 0; round < 3; ++round) {
    double t0 = cpu_ns();
    for (size_t k = 0; k < n; ++k) {
      struct ksym_hit h;
      found += ksym_lookup(idx, addrs[k], &h) == 0;
    }
    double t1 = cpu_ns();
    for (size_t k = 0; k < n; ++k) {
      struct ksym_hit h;
      found += ksym_lookup(idx, addrs[k % 2000], &h) == 0;
    }
    double t2 = cpu_ns();
    found += ksym_lookup_batch(idx, addrs, n, hits);
    double t3 = cpu_ns();
    found += ksym_lookup_batch(idx, sorted, n, hits);
    double t3s = cpu_ns();
    char buf[512];
    for (size_t k = 0; k < n / 10; ++k) {
      found += ksym_format_frame(idx, addrs[k], buf, sizeof(buf)) > 0;
    }
    double t4 = cpu_ns();
    struct ksym_source_frame frames[16];
    for (int j = 0; j < 16; ++j) frames[j].type_size = sizeof(frames[j]);
    for (size_t k = 0; k < n / 10; ++k) {
      found += ksym_lookup_location(idx, addrs[k], frames, 16) > 0;
    }
    double t5 = cpu_ns();
    for (size_t k = 0; k < n / 10; ++k) {
      found += ksym_format_location(idx, addrs[k], buf, sizeof(buf)) > 0;
    }
    double t6 = cpu_ns();
    printf("%llu symbols: ksym_lookup random %.1f ns, working set %.1f ns, "
           "lookup_batch random %.1f ns/address, sorted %.1f ns/address "
           "(%.1f M/s), format_frame %.1f ns, lookup_location %.1f ns, "
           "format_location %.1f ns\n",
           (unsigned long long)info.symbol_count, (t1 - t0) / n,
           (t2 - t1) / n, (t3 - t2) / n, (t3s - t3) / n,
           n / (t3s - t3) * 1e3, (t4 - t3s) / (n / 10), (t5 - t4) / (n / 10),
           (t6 - t5) / (n / 10));
  }
  fprintf(stderr, "(%llu found)\n", (unsigned long long)found);
  free(addrs);
  free(hits);
  free(sorted);
  ksym_close(idx);
  return 0;
}
