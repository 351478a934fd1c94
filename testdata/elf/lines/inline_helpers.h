// Line-table test fixture: inline functions from a header, as the kernel's
// include/linux/*.h provide them, so that call sites and inlined bodies lie
// in different files. Forced inline, two levels deep.

extern int lines_sink[8];

static inline __attribute__((always_inline)) int clamp_index(int i) {
  if (i < 0) return 0;
  return i & 7;
}

static inline __attribute__((always_inline)) int load_slot(int i) {
  int j = clamp_index(i);
  return lines_sink[j] * 3 + j;
}

static inline __attribute__((always_inline)) void store_slot(int i, int v) {
  lines_sink[clamp_index(i)] = v;
}
