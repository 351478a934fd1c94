/* lookup.c: prints what `ksym lookup -i INDEX ADDR...` and `ksym resolve
 * -i INDEX QUERY...` print, through the C API:
 *   lookup INDEX ADDR... [-- QUERY...]
 * Build: gcc lookup.c $(pkg-config --cflags --libs ksym) */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ksym/ksym.h>

int main(int argc, char **argv) {
  struct ksym_index *idx;
  if (argc < 2 || ksym_open(argv[1], &idx) != 0) {
    fprintf(stderr, "lookup: %s\n", argc < 2 ? "usage: lookup INDEX ADDR..."
                                             : ksym_last_error());
    return 2;
  }
  int k = 2;
  for (; k < argc && strcmp(argv[k], "--") != 0; ++k) {
    char frame[1024];
    uint64_t addr = strtoull(argv[k], NULL, 16);
    if (ksym_format_frame(idx, addr, frame, sizeof(frame)) < 0) return 3;
    printf("%016" PRIx64 " %s\n", addr, frame);
  }
  for (++k; k < argc; ++k) {
    struct ksym_candidate c[64];
    int n = ksym_resolve(idx, argv[k], c, 64);
    for (int j = 0; j < n && j < 64; ++j) {
      char name[1024];
      ksym_symbol_resolved(idx, c[j].symbol, name, sizeof(name));
      printf("%016" PRIx64 " %s\n", c[j].address, name);
    }
  }
  ksym_close(idx);
  return 0;
}
