/* Live frames through the C API on this machine's running kernel: an
 * address of a [__builtin__ftrace] or [bpf] line of /proc/kallsyms is
 * answered as `ksym lookup` answers it (KSYM_REASON_LIVE, the frame text),
 * never from the cached index. Reads the real /proc/kallsyms and builds
 * the default index into TEST_TMPDIR: not sandboxed (tag local; the
 * sandbox sees every kallsyms address as zero). Skips, saying so, where
 * the kernel lists no pseudo-module line. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksym/ksym.h"

#define CHECK(c)                                                     \
  do {                                                               \
    if (!(c)) {                                                      \
      fprintf(stderr, "%s:%d: CHECK(%s) failed (%s)\n", __FILE__,    \
              __LINE__, #c, ksym_last_error());                      \
      exit(1);                                                       \
    }                                                                \
  } while (0)

int main(void) {
  char cache[4096];
  const char *tmp = getenv("TEST_TMPDIR");
  snprintf(cache, sizeof(cache), "%s/xdg", tmp != NULL ? tmp : "/tmp");
  setenv("XDG_CACHE_HOME", cache, 1);
  unsetenv("KSYM_INDEX");

  /* The first pseudo-module line with an address. */
  FILE *f = fopen("/proc/kallsyms", "r");
  CHECK(f != NULL);
  char line[1024], name[512] = "", module[64] = "";
  uint64_t addr = 0;
  while (fgets(line, sizeof(line), f) != NULL) {
    char *tab = strchr(line, '\t');
    if (tab == NULL) continue;
    if (strncmp(tab, "\t[bpf]", 6) != 0 &&
        strncmp(tab, "\t[__builtin__", 13) != 0) {
      continue;
    }
    uint64_t a;
    char type;
    if (sscanf(line, "%" SCNx64 " %c %511s", &a, &type, name) != 3 || a == 0) {
      continue;
    }
    char *end = strchr(tab, ']');
    CHECK(end != NULL && end - tab - 2 < (long)sizeof(module));
    memcpy(module, tab + 2, (size_t)(end - tab - 2));
    module[end - tab - 2] = '\0';
    addr = a;
    break;
  }
  fclose(f);
  if (addr == 0) {
    printf("SKIP: no pseudo-module line with an address in /proc/kallsyms\n");
    return 0;
  }

  struct ksym_index *idx;
  CHECK(ksym_open_default(NULL, &idx) == 0);
  struct ksym_hit h;
  CHECK(ksym_lookup(idx, addr, &h) == KSYM_ERR_NOT_FOUND);
  CHECK(h.symbol == KSYM_NO_SYMBOL);
  CHECK(h.reason == KSYM_REASON_LIVE);
  CHECK(h.offset == 0);
  CHECK(strstr(ksym_reason_text(KSYM_REASON_LIVE), "running kernel") != NULL);

  char want[600], frame[1024];
  snprintf(want, sizeof(want), "%s+0x0 [%s]", name, module);
  CHECK(ksym_format_frame(idx, addr, frame, sizeof(frame)) > 0);
  CHECK(strncmp(frame, want, strlen(want)) == 0);

  struct ksym_live_symbol l;
  memset(&l, 0, sizeof(l));
  l.type_size = sizeof(l);
  CHECK(ksym_lookup_live(idx, addr + 1, &l) == 0);
  CHECK(l.address == addr && l.offset == 1);
  CHECK(strcmp(l.name, name) == 0 && strcmp(l.module, module) == 0);

  struct ksym_hit batch[2];
  const uint64_t addrs[2] = {addr, addr};
  CHECK(ksym_lookup_batch(idx, addrs, 2, batch) == 0);
  CHECK(batch[0].reason == KSYM_REASON_LIVE && batch[1].reason == KSYM_REASON_LIVE);
  ksym_close(idx);
  printf("%s\n", frame);
  return 0;
}
