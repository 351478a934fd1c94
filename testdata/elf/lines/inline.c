// Line-table test fixture (see //symbolizer/sources/elf:lines_fixtures):
// functions with inlined calls from the header and from this file, nested,
// a cold part GCC splits off into .text.unlikely (a second range of one
// function), and an .init.text function.
#include "inline_helpers.h"

int lines_sink[8];

static inline __attribute__((always_inline)) int sum_two(int a, int b) {
  return load_slot(a) +
         load_slot(b);
}

__attribute__((noinline, cold)) void lines_report(int x) {
  lines_sink[0] = x;
}

__attribute__((noinline)) int lines_walk(int n) {
  int total = 0;
  for (int i = 0; i < n; ++i) {
    total += sum_two(i, n - i);
    store_slot(i, total);
  }
  if (__builtin_expect(total < 0, 0)) {
    lines_report(total);
    store_slot(total, n);
    return -1;
  }
  return total;
}

__attribute__((noinline)) int lines_plain(int x) {
  return x * 2 + 1;
}

__attribute__((section(".init.text"), noinline)) int lines_init(int x) {
  return load_slot(x) + lines_plain(x);
}

int start(void) {
  return lines_walk(5) + lines_init(2) + lines_plain(3);
}
