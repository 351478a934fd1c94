/* A small static index with a line table, written for C tests (the C API
 * builds indexes only from kernel files; a line table needs DWARF).
 *
 *   capi_test_write_line_index("/tmp/l.ksym", 1);
 *
 * Symbols (link-time addresses):
 *   0xffffffff81000000 _text
 *   0xffffffff81000100 do_open (0x40): inlines getname (called from
 *       fs/open.c:20:3) over [+0x8, +0x20), which inlines copy_name (called
 *       from fs/namei.c:7:9) over [+0x10, +0x18); rows +0x0 fs/open.c:10,
 *       +0x8 fs/namei.c:5:1, +0x10 /usr/include/x.h:2:4, +0x20 fs/open.c:30
 *   0xffffffff81000140 asm_fn (0x10): no DWARF function
 *   0xffffffff81000180 entry_asm (0x10): a DWARF function without a name,
 *       row +0x0 arch/x86/entry/\x01entry.S:40 (a control byte in its path)
 * Paths are under the build prefix
 * "debian/build/build_amd64_none_cloud-amd64/" except /usr/include/x.h.
 * with_lines 0: the same symbols, no line table ("not read: built with
 * --no-lines"). Returns 0, or -1 after printing why to stderr. */
#ifndef KSYM_CAPI_TESTING_LINE_INDEX_H_
#define KSYM_CAPI_TESTING_LINE_INDEX_H_

#ifdef __cplusplus
extern "C" {
#endif

int capi_test_write_line_index(const char *path, int with_lines);

/* A runtime index with the loadable module fat: fat_fill_super at
 * 0xffffffffc0a01000 (0x40), whose lines (format.h kModuleLines, at the
 * load address) inline fat_setup (called from fs/fat/inode.c:1700:5) over
 * [+0x10, +0x20): rows +0x0 fs/fat/inode.c:1690, +0x10 fs/fat/fat.h:7:2,
 * +0x20 fs/fat/inode.c:1710. Returns 0, or -1 after printing why. */
int capi_test_write_module_line_index(const char *path);

#ifdef __cplusplus
}
#endif

#endif /* KSYM_CAPI_TESTING_LINE_INDEX_H_ */
