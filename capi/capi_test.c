/* The C API from plain C99: build, open, lookup, format, resolve, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>

#include "capi/testing/line_index.h"
#include "ksym/ksym.h"

static int failures = 0;
#define CHECK(cond)                                                  \
  do {                                                               \
    if (!(cond)) {                                                   \
      fprintf(stderr, "%s:%d: FAIL: %s (last error: %s)\n", __FILE__, \
              __LINE__, #cond, ksym_last_error());                   \
      ++failures;                                                    \
    }                                                                \
  } while (0)

/* A loadable module's frame: its lines from the index's module section,
 * at the module's load address (capi/testing/line_index.h). */
static void check_module_lines(const char *tmp) {
  char path[4096], buf[512];
  snprintf(path, sizeof(path), "%s/module_lines.ksym", tmp);
  CHECK(capi_test_write_module_line_index(path) == 0);
  struct ksym_index *idx = NULL;
  CHECK(ksym_open(path, &idx) == 0);
  if (idx == NULL) return;
  struct ksym_source_frame f[4];
  memset(f, 0xee, sizeof(f));
  for (int k = 0; k < 4; ++k) f[k].type_size = sizeof(f[k]);
  CHECK(ksym_lookup_location(idx, 0xffffffffc0a01014, NULL, 0) == 2);
  CHECK(ksym_lookup_location(idx, 0xffffffffc0a01014, f, 4) == 2);
  CHECK(strcmp(f[0].function, "fat_setup") == 0);
  CHECK(strcmp(f[0].file, "fs/fat/fat.h") == 0);
  CHECK(f[0].line == 7 && f[0].inlined);
  CHECK(strcmp(f[1].function, "fat_fill_super") == 0);
  CHECK(f[1].line == 1700 && !f[1].inlined);
  const char *want =
      "  fat_setup fs/fat/fat.h:7:2 (inlined)\n"
      "  fat_fill_super fs/fat/inode.c:1700:5\n";
  CHECK(ksym_format_location(idx, 0xffffffffc0a01014, buf, sizeof(buf)) ==
        (int)strlen(want));
  CHECK(strcmp(buf, want) == 0);
  ksym_close(idx);
}

/* ksym_lookup_location and ksym_format_location on an index with a line
 * table (capi/testing/line_index.h) and on the same without one. */
static void check_lines(const char *tmp) {
  char path[4096], bare[4096], buf[512];
  snprintf(path, sizeof(path), "%s/lines.ksym", tmp);
  snprintf(bare, sizeof(bare), "%s/no_lines.ksym", tmp);
  CHECK(capi_test_write_line_index(path, 1) == 0);
  CHECK(capi_test_write_line_index(bare, 0) == 0);
  struct ksym_index *idx = NULL;
  CHECK(ksym_open(path, &idx) == 0);
  if (idx == NULL) return;
  const uint64_t open = 0xffffffff81000100;

  /* do_open+0x12: copy_name inlined into getname inlined into do_open. */
  struct ksym_source_frame f[4];
  memset(f, 0xee, sizeof(f));
  for (int k = 0; k < 4; ++k) f[k].type_size = sizeof(f[k]);
  CHECK(ksym_lookup_location(idx, open + 0x12, NULL, 0) == 3);
  CHECK(ksym_lookup_location(idx, open + 0x12, f, 4) == 3);
  CHECK(strcmp(f[0].function, "copy_name") == 0);
  CHECK(strcmp(f[0].file, "/usr/include/x.h") == 0);
  CHECK(strcmp(f[0].prefix, "") == 0);
  CHECK(f[0].line == 2 && f[0].column == 4 && f[0].inlined);
  CHECK(strcmp(f[1].function, "getname") == 0);
  CHECK(strcmp(f[1].file, "fs/namei.c") == 0);
  CHECK(strcmp(f[1].prefix, "debian/build/build_amd64_none_cloud-amd64/") ==
        0);
  CHECK(f[1].line == 7 && f[1].column == 9 && f[1].inlined);
  CHECK(strcmp(f[2].function, "do_open") == 0);
  CHECK(strcmp(f[2].file, "fs/open.c") == 0);
  CHECK(f[2].line == 20 && f[2].column == 3 && !f[2].inlined);
  CHECK(f[3].line == 0xeeeeeeeeu); /* past the count: untouched */
  CHECK(f[0].type_size == sizeof(f[0]));
  /* cap 1: the innermost frame, the full count. */
  memset(&f[1], 0xee, sizeof(f[1]));
  f[1].type_size = sizeof(f[1]);
  CHECK(ksym_lookup_location(idx, open + 0x12, f, 1) == 3);
  CHECK(strcmp(f[0].function, "copy_name") == 0);
  CHECK(f[1].line == 0xeeeeeeeeu);
  /* An older caller's smaller struct: `inlined` and later untouched. */
  memset(&f[0], 0xee, sizeof(f[0]));
  f[0].type_size = offsetof(struct ksym_source_frame, column) + sizeof(uint32_t);
  CHECK(ksym_lookup_location(idx, open + 0x2, f, 1) == 1);
  CHECK(strcmp(f[0].function, "do_open") == 0);
  CHECK(f[0].line == 10 && f[0].column == 0);
  CHECK(*(const unsigned char *)&f[0].inlined == 0xee);
  CHECK(f[0].type_size ==
        offsetof(struct ksym_source_frame, column) + sizeof(uint32_t));
  f[0].type_size = offsetof(struct ksym_source_frame, line);
  CHECK(ksym_lookup_location(idx, open + 0x2, f, 1) == KSYM_ERR_INVALID);
  f[0].type_size = sizeof(f[0]);
  {
    /* An older caller's array of smaller structs: the library steps by
     * frames[0].type_size, not by its own sizeof. */
    const size_t old_size =
        offsetof(struct ksym_source_frame, column) + sizeof(uint32_t);
    struct ksym_source_frame storage[4];
    unsigned char *bytes = (unsigned char *)storage;
    memset(storage, 0xee, sizeof(storage));
    storage[0].type_size = old_size;
    CHECK(ksym_lookup_location(idx, open + 0x12, storage, 3) == 3);
    const struct ksym_source_frame *second =
        (const struct ksym_source_frame *)(bytes + old_size);
    const struct ksym_source_frame *third =
        (const struct ksym_source_frame *)(bytes + 2 * old_size);
    CHECK(strcmp(storage[0].function, "copy_name") == 0);
    CHECK(second->type_size == old_size && third->type_size == old_size);
    CHECK(strcmp(second->function, "getname") == 0 && second->line == 7);
    CHECK(strcmp(third->function, "do_open") == 0 && third->line == 20);
    CHECK(bytes[3 * old_size] == 0xee); /* nothing past the third */
  }

  /* A DWARF function without a name (assembler) takes the symbol's; the
   * struct has the raw bytes, the text escapes them. */
  CHECK(ksym_lookup_location(idx, open + 0x82, f, 4) == 1);
  CHECK(strcmp(f[0].function, "entry_asm") == 0);
  CHECK(strcmp(f[0].file, "arch/x86/entry/\x01" "entry.S") == 0);
  CHECK(f[0].line == 40 && !f[0].inlined);
  CHECK(ksym_format_location(idx, open + 0x82, buf, sizeof(buf)) > 0);
  CHECK(strcmp(buf, "  entry_asm arch/x86/entry/\\x01entry.S:40\n") == 0);

  /* What `ksym lookup --lines` prints after the frame line. */
  const char *want =
      "  copy_name /usr/include/x.h:2:4 (inlined)\n"
      "  getname fs/namei.c:7:9 (inlined)\n"
      "  do_open fs/open.c:20:3\n";
  CHECK(ksym_format_location(idx, open + 0x12, NULL, 0) == (int)strlen(want));
  CHECK(ksym_format_location(idx, open + 0x12, buf, sizeof(buf)) ==
        (int)strlen(want));
  CHECK(strcmp(buf, want) == 0);
  CHECK(ksym_format_location(idx, open + 0x12, buf, 5) == (int)strlen(want));
  CHECK(strcmp(buf, "  co") == 0);

  /* None: the reason, as the CLI says it. */
  CHECK(ksym_lookup_location(idx, open + 0x44, f, 4) == KSYM_ERR_NOT_FOUND);
  CHECK(strcmp(ksym_last_error(), "no DWARF function covers this address") ==
        0);
  CHECK(ksym_format_location(idx, open + 0x44, buf, sizeof(buf)) > 0);
  CHECK(strcmp(buf, "  ?? (no DWARF function covers this address)\n") == 0);
  CHECK(ksym_lookup_location(idx, 1, f, 4) == KSYM_ERR_NOT_FOUND);
  CHECK(strcmp(ksym_last_error(),
               "not a kernel address: below the kernel text") == 0);
  CHECK(ksym_format_location(idx, 1, buf, sizeof(buf)) == 0);
  CHECK(buf[0] == '\0');
  CHECK(ksym_lookup_location(idx, open, NULL, 4) == KSYM_ERR_INVALID);
  CHECK(ksym_lookup_location(NULL, open, f, 4) == KSYM_ERR_INVALID);
  ksym_close(idx);

  idx = NULL;
  CHECK(ksym_open(bare, &idx) == 0);
  if (idx == NULL) return;
  const char *why = "the index has no line table: not read: built with "
                    "--no-lines";
  CHECK(ksym_lookup_location(idx, open + 0x12, f, 4) == KSYM_ERR_NOT_FOUND);
  CHECK(strcmp(ksym_last_error(), why) == 0);
  CHECK(ksym_format_location(idx, open + 0x12, buf, sizeof(buf)) > 0);
  CHECK(strncmp(buf, "  ?? (", 6) == 0 && strstr(buf, why) == buf + 6);
  ksym_close(idx);
}

int main(void) {
  const char *tmp = getenv("TEST_TMPDIR");
  char kallsyms[4096], index[4096], garbage[4096];
  snprintf(kallsyms, sizeof(kallsyms), "%s/kallsyms", tmp ? tmp : "/tmp");
  snprintf(index, sizeof(index), "%s/c.ksym", tmp ? tmp : "/tmp");
  snprintf(garbage, sizeof(garbage), "%s/garbage.ksym", tmp ? tmp : "/tmp");
  FILE *f = fopen(kallsyms, "w");
  fputs("ffffffff81000000 T _stext\n"
        "ffffffff81000100 t type_show\n"
        "ffffffff81000200 t type_show\n"
        "ffffffff81000300 T schedule\n"
        "ffffffff81000400 T _etext\n"
        "ffffffffc0001000 t ext4_fill_super\t[ext4]\n",
        f);
  fclose(f);
  f = fopen(garbage, "w");
  fputs("not an index at all, not an index at all, not an index at all\n", f);
  fclose(f);

  struct ksym_build_opts b;
  memset(&b, 0, sizeof(b));
  b.type_size = sizeof(b);
  b.kallsyms = kallsyms;
  CHECK(ksym_build(&b, index) == 0);

  struct ksym_index *idx = NULL;
  CHECK(ksym_open("/nonexistent/x.ksym", &idx) == KSYM_ERR_IO);
  CHECK(idx == NULL);
  CHECK(strstr(ksym_last_error(), "/nonexistent/x.ksym") != NULL);
  {
    /* A message longer than 4096 bytes (here quoting a long path) is cut
     * and says its length. */
    static char long_path[9000];
    memset(long_path, 'p', sizeof(long_path) - 1);
    memcpy(long_path, "/nonexistent/", 13);
    CHECK(ksym_open(long_path, &idx) < 0);
    CHECK(strlen(ksym_last_error()) <= 4096);
    CHECK(strlen(ksym_last_error()) > 4000);
    CHECK(strstr(ksym_last_error(), " bytes)") != NULL);
  }
  CHECK(ksym_open(garbage, &idx) == KSYM_ERR_FORMAT);
  struct ksym_open_opts o;
  memset(&o, 0, sizeof(o));
  o.type_size = sizeof(o);
  o.verify_checksums = true;
  CHECK(ksym_open_with(index, &o, &idx) == 0);
  if (idx == NULL) return 1;

  struct ksym_info info;
  memset(&info, 0, sizeof(info));
  info.type_size = sizeof(info);
  CHECK(ksym_index_info(idx, &info) == 0);
  CHECK(info.symbol_count == 6);
  CHECK(info.type_size == sizeof(info));
  /* Built from kallsyms alone: a runtime index whose offset is unknown,
   * not 0. */
  CHECK(info.runtime_addresses);
  CHECK(!info.kaslr_offset_known);

  /* The module list: ext4 placed by its one kallsyms line, said so. */
  CHECK(ksym_modules(idx) == 1);
  {
    struct ksym_module m;
    memset(&m, 0, sizeof(m));
    m.type_size = sizeof(m);
    CHECK(ksym_module_info(idx, 0, &m) == 0);
    CHECK(strcmp(m.name, "ext4") == 0);
    CHECK(strcmp(m.build_id, "") == 0);
    CHECK(m.base == 0xffffffffc0001000ull);
    CHECK(m.range_inferred);
    CHECK(!m.symbols_from_ko && !m.debug_read);
    CHECK(m.section_count == 0);
    CHECK(ksym_module_info(idx, 1, &m) == KSYM_ERR_INVALID);
    const char *section;
    uint64_t address;
    CHECK(ksym_module_section(idx, 0, 0, &section, &address) ==
          KSYM_ERR_INVALID);
    char line[256];
    CHECK(ksym_module_format(idx, 0, line, sizeof(line)) > 0);
    CHECK(strstr(line, "ext4 0xffffffffc0001000-") == line);
    CHECK(strstr(line, "(range inferred from its symbols)") != NULL);
    CHECK(strstr(line, "build-id (unknown)") != NULL);
    /* An older caller's smaller struct: fields past it untouched. */
    struct ksym_module small;
    memset(&small, 0xee, sizeof(small));
    small.type_size = offsetof(struct ksym_module, size) + sizeof(uint64_t);
    CHECK(ksym_module_info(idx, 0, &small) == 0);
    CHECK(small.base == 0xffffffffc0001000ull);
    CHECK(small.section_count == 0xeeeeeeeeu);
  }

  struct ksym_hit hit;
  CHECK(ksym_lookup(idx, 0xffffffff81000310, &hit) == 0);
  CHECK(hit.offset == 0x10);
  char buf[256];
  CHECK(ksym_symbol_name(idx, hit.symbol, buf, sizeof(buf)) == 8);
  CHECK(strcmp(buf, "schedule") == 0);
  struct ksym_symbol sym;
  memset(&sym, 0, sizeof(sym));
  sym.type_size = sizeof(sym);
  CHECK(ksym_symbol_info(idx, hit.symbol, &sym) == 0);
  CHECK(sym.address == 0xffffffff81000300 && sym.size == 0x100);
  CHECK(sym.type == 'T' && !sym.size_exact && sym.module_count == 0);
  CHECK(ksym_symbol_object(idx, hit.symbol, buf, sizeof(buf)) == 0);
  CHECK(buf[0] == '\0');

  CHECK(ksym_lookup(idx, 1, &hit) == KSYM_ERR_NOT_FOUND);
  CHECK(hit.symbol == KSYM_NO_SYMBOL && hit.reason == KSYM_REASON_NOT_KERNEL);
  CHECK(strcmp(ksym_reason_text(hit.reason),
               "not a kernel address: below the kernel text") == 0);
  CHECK(ksym_lookup(idx, 0x00007f0012345678, &hit) == KSYM_ERR_NOT_FOUND);
  CHECK(hit.reason == KSYM_REASON_NOT_KERNEL);
  /* Not the running kernel's index: nothing live (capi_live_test has the
   * running kernel's). */
  struct ksym_live_symbol live;
  memset(&live, 0, sizeof(live));
  live.type_size = sizeof(live);
  CHECK(ksym_lookup_live(idx, 0xffffffff81000312, &live) == KSYM_ERR_NOT_FOUND);
  CHECK(ksym_lookup_live(idx, 1, &live) == KSYM_ERR_NOT_FOUND);
  CHECK(strcmp(ksym_last_error(),
               "not a kernel address: below the kernel text") == 0);

  CHECK(ksym_format_frame(idx, 0xffffffff81000312, buf, sizeof(buf)) == 19);
  CHECK(strcmp(buf, "schedule+0x12/0x100") == 0);
  CHECK(ksym_format_frame(idx, 0xffffffff81000312, buf, 5) == 19);
  CHECK(strcmp(buf, "sche") == 0);
  CHECK(ksym_format_frame(idx, 1, buf, sizeof(buf)) > 0);
  CHECK(strcmp(buf, "?? (not a kernel address: below the kernel text)") == 0);
  /* The highest symbol covers only its own address. */
  CHECK(ksym_format_frame(idx, 0xffffffffc0001000, buf, sizeof(buf)) > 0);
  CHECK(strcmp(buf, "ext4_fill_super+0x0/0x0 [ext4]") == 0);

  uint64_t addrs[4] = {0xffffffff81000000, 0xffffffff81000105, 1,
                       0xffffffff81000310};
  struct ksym_hit hits[4];
  CHECK(ksym_lookup_batch(idx, addrs, 4, hits) == 3);
  CHECK(hits[2].symbol == KSYM_NO_SYMBOL);
  CHECK(hits[3].offset == 0x10);

  uint32_t all[4];
  CHECK(ksym_lookup_all(idx, 0xffffffff81000105, all, 4) == 1);

  uint64_t addr = 0;
  CHECK(ksym_resolve_address(idx, "schedule", &addr) == 0);
  CHECK(addr == 0xffffffff81000300);
  CHECK(ksym_resolve_address(idx, "schedule+0x8", &addr) == 0);
  CHECK(addr == 0xffffffff81000308);
  CHECK(ksym_resolve_address(idx, "type_show", &addr) == KSYM_ERR_AMBIGUOUS);
  CHECK(strstr(ksym_last_error(), "ambiguous") != NULL);
  {
    /* A message quoting a 50 MB query is bounded, its control bytes
     * escaped. */
    const size_t n = (size_t)50 << 20;
    char *huge = malloc(n + 1);
    CHECK(huge != NULL);
    memset(huge, 'a', n);
    huge[1] = '\x1b';
    huge[n] = '\0';
    CHECK(ksym_resolve_address(idx, huge, &addr) < 0);
    CHECK(strlen(ksym_last_error()) <= 4096);
    CHECK(strchr(ksym_last_error(), '\x1b') == NULL);
    CHECK(strstr(ksym_last_error(), "bytes)") != NULL);
    free(huge);
  }
  CHECK(ksym_resolve_address(idx, "no_such_fn", &addr) == KSYM_ERR_NOT_FOUND);
  CHECK(ksym_resolve_address(idx, "bad [", &addr) == KSYM_ERR_SYNTAX);

  struct ksym_candidate c[4], one;
  size_t n = 0;
  CHECK(ksym_resolve(idx, "type_show", c, 4) == 2);
  CHECK(c[0].address == 0xffffffff81000100 && c[1].address == 0xffffffff81000200);
  CHECK(ksym_resolve(idx, "type_show", NULL, 0) == 2);
  /* Globs, as `ksym resolve` takes them: names in byte order, each name's
   * candidates in address order, the rest of the query applied to each. */
  CHECK(ksym_resolve(idx, "type_sho?", c, 4) == 2);
  CHECK(ksym_resolve(idx, "*h*", c, 4) == 3);
  CHECK(c[0].address == 0xffffffff81000300); /* schedule */
  CHECK(c[1].address == 0xffffffff81000100 && c[2].address == 0xffffffff81000200);
  CHECK(ksym_resolve(idx, "*t* [ext4]", c, 4) == 1);
  CHECK(c[0].address == 0xffffffffc0001000); /* ext4_fill_super */
  CHECK(ksym_resolve(idx, "sched*+0x8", c, 4) == 1);
  CHECK(c[0].address == 0xffffffff81000308);
  CHECK(ksym_resolve(idx, "nothing_like_it*", c, 4) == 0);
  CHECK(c[0].length_match == KSYM_LEN_NOT_ASKED);
  CHECK(ksym_candidate_resolved(idx, &c[0], buf, sizeof(buf)) > 0);
  CHECK(strstr(buf, "LEN matched") == NULL);
  /* /0xLEN: the kernel's length (distance to the next symbol) matched, and
   * the candidate's text says so, as `ksym resolve` prints it. */
  CHECK(ksym_resolve(idx, "type_show+0x4/0x100", c, 4) >= 1);
  CHECK(c[0].length_match == KSYM_LEN_KERNEL);
  CHECK(ksym_candidate_resolved(idx, &c[0], buf, sizeof(buf)) > 0);
  CHECK(strstr(buf, " (LEN matched the kernel's length") != NULL);
  c[0].length_match = 7;
  CHECK(ksym_candidate_resolved(idx, &c[0], buf, sizeof(buf)) ==
        KSYM_ERR_INVALID);
  CHECK(ksym_resolve_unique(idx, "type_show", &one, c, 1, &n) ==
        KSYM_ERR_AMBIGUOUS);
  CHECK(n == 2);
  CHECK(ksym_resolve_unique(idx, "ext4:ext4_fill_super", &one, c, 4, &n) == 0);
  CHECK(one.address == 0xffffffffc0001000);
  CHECK(ksym_symbol_qualified(idx, one.symbol, buf, sizeof(buf)) ==
        (int)strlen("ext4_fill_super [ext4]"));
  CHECK(strcmp(buf, "ext4_fill_super [ext4]") == 0);
  CHECK(ksym_symbol_module(idx, one.symbol, 0, buf, sizeof(buf)) == 4);
  CHECK(strcmp(buf, "ext4") == 0);
  CHECK(ksym_symbol_module(idx, one.symbol, 1, buf, sizeof(buf)) ==
        KSYM_ERR_INVALID);

  CHECK(ksym_symbol_name(idx, 999, buf, sizeof(buf)) == KSYM_ERR_INVALID);
  CHECK(ksym_lookup(NULL, 1, &hit) == KSYM_ERR_INVALID);
  CHECK(strcmp(ksym_strerror(KSYM_ERR_AMBIGUOUS), "ambiguous") == 0);

  /* Fleet: a host's layout record maps its runtime addresses. */
  const char *record =
      "ksym-layout 1\n"
      "kernel 6.1.0-57-cloud-amd64 0123456789abcdef\n"
      "text ffffffff9d000000\n"
      "module virtio_pci aabbccdd\n"
      "section .text ffffffffc0381000\n";
  struct ksym_layout *layout = NULL;
  CHECK(ksym_layout_parse(record, strlen(record), &layout) == 0);
  struct ksym_mapped m = {.type_size = sizeof(m)};
  CHECK(ksym_layout_map(layout, 0xffffffffc0382a50, &m) == 0);
  CHECK(m.kind == KSYM_MAPPED_MODULE && m.offset == 0x1a50);
  CHECK(strcmp(m.build_id, "aabbccdd") == 0);
  CHECK(strcmp(m.module, "virtio_pci") == 0 && strcmp(m.section, ".text") == 0);
  CHECK(ksym_layout_map(layout, 0xffffffff9d000010, &m) == 0);
  CHECK(m.kind == KSYM_MAPPED_KERNEL && m.offset == 0x10 && m.module == NULL);
  CHECK(strcmp(m.build_id, "0123456789abcdef") == 0);
  CHECK(ksym_layout_map(layout, 0x1000, &m) == KSYM_ERR_NOT_FOUND);
  CHECK(ksym_layout_format(layout, buf, sizeof(buf)) == (int)strlen(record));
  CHECK(strcmp(buf, record) == 0);
  /* In this index (no _text) the kernel offset is placed from _stext; a
   * module's section is not a kernel build's. */
  uint64_t placed = 0;
  CHECK(ksym_layout_map(layout, 0xffffffff9d000010, &m) == 0);
  CHECK(ksym_mapped_address(idx, &m, &placed) == 0);
  CHECK(placed == 0xffffffff81000010);
  CHECK(ksym_layout_map(layout, 0xffffffffc0382a50, &m) == 0);
  CHECK(ksym_mapped_address(idx, &m, &placed) == KSYM_ERR_NOT_FOUND);
  CHECK(strstr(ksym_last_error(), "kernel build") != NULL);
  ksym_layout_free(layout);
  CHECK(ksym_layout_parse("kallsyms\n", 9, &layout) == KSYM_ERR_FORMAT);
  CHECK(layout == NULL);
  CHECK(strstr(ksym_last_error(), "<layout>:1:") != NULL);
  struct ksym_index *stored = NULL;
  CHECK(ksym_store_open("/nonexistent", "../../etc", NULL, &stored) ==
        KSYM_ERR_FORMAT);
  CHECK(ksym_store_open("/nonexistent", "abcd", NULL, &stored) == KSYM_ERR_IO);
  CHECK(stored == NULL);

  /* A root, as `ksym build --root`: its own kallsyms and release, written
   * only where the caller says (never into the running kernel's cache). */
  char root[2048], dir[4096], rooted[4096];
  snprintf(root, sizeof(root), "%s/root", tmp ? tmp : "/tmp");
  snprintf(rooted, sizeof(rooted), "%s/rooted.ksym", tmp ? tmp : "/tmp");
  const char *dirs[] = {"", "/proc", "/proc/sys", "/proc/sys/kernel"};
  for (size_t k = 0; k < sizeof(dirs) / sizeof(dirs[0]); ++k) {
    snprintf(dir, sizeof(dir), "%s%s", root, dirs[k]);
    mkdir(dir, 0700);
  }
  snprintf(dir, sizeof(dir), "%s/proc/kallsyms", root);
  f = fopen(dir, "w");
  fputs("ffffffff81000000 T _stext\n"
        "ffffffff81000100 T in_the_root\n"
        "ffffffff81000200 T _etext\n",
        f);
  fclose(f);
  snprintf(dir, sizeof(dir), "%s/proc/sys/kernel/osrelease", root);
  f = fopen(dir, "w");
  fputs("6.1.0-rooted\n", f);
  fclose(f);
  memset(&b, 0, sizeof(b));
  b.type_size = sizeof(b);
  b.root = root;
  CHECK(ksym_build(&b, NULL) == KSYM_ERR_FORMAT);
  CHECK(strstr(ksym_last_error(), "not cached") != NULL);
  CHECK(ksym_build(&b, rooted) == 0);
  struct ksym_index *ri = NULL;
  CHECK(ksym_open(rooted, &ri) == 0);
  if (ri != NULL) {
    CHECK(ksym_index_info(ri, &info) == 0);
    CHECK(strcmp(info.release, "6.1.0-rooted") == 0);
    CHECK(ksym_resolve_address(ri, "in_the_root", &addr) == 0);
    CHECK(addr == 0xffffffff81000100);
    ksym_close(ri);
  }
  /* An older caller's shorter struct: root and release are not read. */
  b.type_size = offsetof(struct ksym_build_opts, root);
  b.kallsyms = kallsyms;
  CHECK(ksym_build(&b, rooted) == 0);

  /* An index built from kallsyms has no line table, and says so. */
  CHECK(ksym_lookup_location(idx, 0xffffffff81000310, NULL, 0) ==
        KSYM_ERR_NOT_FOUND);
  CHECK(strstr(ksym_last_error(), "the index has no line table") ==
        ksym_last_error());
  check_lines(tmp ? tmp : "/tmp");
  check_module_lines(tmp ? tmp : "/tmp");

  ksym_close(idx);
  ksym_close(NULL);
  if (failures == 0) printf("ok\n");
  return failures != 0;
}
