/* lookup.c: prints what `ksym lookup -i INDEX [--lines] ADDR...` and `ksym
 * resolve -i INDEX QUERY...` print, through the C API:
 *   lookup INDEX [--lines] ADDR... [-- QUERY...]
 * Build: gcc lookup.c $(pkg-config --cflags --libs ksym)
 *
 * Sizes are never guessed: each call with capacity 0 says how much there
 * is (strings: their length; ksym_resolve: how many candidates), and a
 * second call fills a buffer of that size. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ksym/ksym.h>

/* ksym_format_frame's text for addr, in a malloc'ed string; NULL on error. */
static char *frame_text(const struct ksym_index *idx, uint64_t addr) {
  int n = ksym_format_frame(idx, addr, NULL, 0);
  char *s = n < 0 ? NULL : malloc((size_t)n + 1);
  if (s != NULL) ksym_format_frame(idx, addr, s, (size_t)n + 1);
  return s;
}

/* ksym_format_location's text for addr (the --lines lines), likewise. */
static char *location_text(const struct ksym_index *idx, uint64_t addr) {
  int n = ksym_format_location(idx, addr, NULL, 0);
  char *s = n < 0 ? NULL : malloc((size_t)n + 1);
  if (s != NULL) ksym_format_location(idx, addr, s, (size_t)n + 1);
  return s;
}

/* ksym_candidate_resolved's text for a candidate, likewise. */
static char *resolved_text(const struct ksym_index *idx,
                           const struct ksym_candidate *c) {
  int n = ksym_candidate_resolved(idx, c, NULL, 0);
  char *s = n < 0 ? NULL : malloc((size_t)n + 1);
  if (s != NULL) ksym_candidate_resolved(idx, c, s, (size_t)n + 1);
  return s;
}

/* Prints every candidate of `query`, however many; 0, or -1 after saying
 * what failed on stderr. */
static int print_candidates(const struct ksym_index *idx, const char *query) {
  int n = ksym_resolve(idx, query, NULL, 0);
  if (n <= 0) return 0; /* no match, or a syntax error: the CLI prints none */
  struct ksym_candidate *c = malloc((size_t)n * sizeof(*c));
  if (c == NULL) {
    fprintf(stderr, "lookup: %s: out of memory for %d candidates\n", query, n);
    return -1;
  }
  /* An index never changes once open: the same n candidates again. */
  n = ksym_resolve(idx, query, c, (size_t)n);
  for (int j = 0; j < n; ++j) {
    char *name = resolved_text(idx, &c[j]);
    if (name == NULL) {
      fprintf(stderr, "lookup: %s: %s\n", query, ksym_last_error());
      free(c);
      return -1;
    }
    printf("%016" PRIx64 " %s\n", c[j].address, name);
    free(name);
  }
  free(c);
  return 0;
}

int main(int argc, char **argv) {
  struct ksym_index *idx;
  if (argc < 2 || ksym_open(argv[1], &idx) != 0) {
    fprintf(stderr, "lookup: %s\n", argc < 2 ? "usage: lookup INDEX ADDR..."
                                             : ksym_last_error());
    return 2;
  }
  int k = 2;
  const int lines = k < argc && strcmp(argv[k], "--lines") == 0;
  k += lines;
  for (; k < argc && strcmp(argv[k], "--") != 0; ++k) {
    uint64_t addr = strtoull(argv[k], NULL, 16);
    char *frame = frame_text(idx, addr);
    if (frame == NULL) return 3;
    printf("%016" PRIx64 " %s\n", addr, frame);
    free(frame);
    if (lines) {
      char *text = location_text(idx, addr);
      if (text == NULL) return 3;
      fputs(text, stdout); /* "" when no symbol covers addr */
      free(text);
    }
  }
  for (++k; k < argc; ++k) {
    if (print_candidates(idx, argv[k]) != 0) return 3;
  }
  ksym_close(idx);
  return 0;
}
