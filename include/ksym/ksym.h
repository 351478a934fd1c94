/*
 * ksym.h: the C API of ksym, unique and fast kernel symbol names.
 *
 * Plain C99. Link with `pkg-config --cflags --libs ksym` (libksym.so) or
 * `pkg-config --static --cflags --libs ksym` (libksym.a).
 *
 *   struct ksym_index *idx;
 *   if (ksym_open("k.ksym", &idx) != 0) {
 *     fprintf(stderr, "%s\n", ksym_last_error());
 *     return 1;
 *   }
 *   char frame[512];
 *   ksym_format_frame(idx, 0xffffffff81460ec2, frame, sizeof(frame));
 *   // "init_once+0x12/0x70 {ext4/super.o}", exactly as `ksym lookup`
 *   uint64_t addr;
 *   if (ksym_resolve_address(idx, "init_once {ext4/super}", &addr) == 0) ...
 *   ksym_close(idx);
 *
 * Conventions:
 * - Functions returning int return 0 (or a length/count >= 0) on success
 *   and a negative KSYM_ERR_* code on failure. After a failure,
 *   ksym_last_error() describes it ("FILE:LINE: what", or the operation
 *   and the file); the message is per thread, the only state the library
 *   keeps outside an index.
 * - An index is immutable once open: every reading function may be called
 *   from any number of threads at once on one struct ksym_index.
 * - Strings are written into caller buffers with snprintf's rules: at most
 *   len - 1 bytes and a terminating NUL when len > 0; the return value is
 *   the full length, so a value >= len means the buffer was too small.
 * - Strings returned as pointers say how long they stay valid: until
 *   ksym_close (module names), or until the next call of the same function
 *   in this thread (ksym_lookup_location's frames).
 * - Structs that may grow start with `size_t type_size`, which the caller
 *   sets to sizeof(the struct) as it was compiled; fields beyond it are
 *   neither read nor written, and reserved bytes must be zero. Newer
 *   libraries accept older, smaller structs.
 * - A symbol is named by its index in the index file (0 ..
 *   symbol_count - 1), the `symbol` of a hit or candidate; its name and
 *   other facts are decoded only when asked for.
 */
#ifndef KSYM_KSYM_H_
#define KSYM_KSYM_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KSYM_VERSION_MAJOR 0
#define KSYM_VERSION_MINOR 1

/* Error codes (negative return values). */
enum ksym_error {
  KSYM_OK = 0,
  KSYM_ERR_INVALID = -1,   /* a NULL or out-of-range argument, bad type_size */
  KSYM_ERR_NOT_FOUND = -2, /* no symbol covers the address / matches */
  KSYM_ERR_AMBIGUOUS = -3, /* several symbols match a query meant to be unique */
  KSYM_ERR_SYNTAX = -4,    /* the query is not valid query syntax */
  KSYM_ERR_IO = -5,        /* a file could not be opened, read or written */
  KSYM_ERR_FORMAT = -6,    /* an index or input file is damaged or not the
                              expected format */
  KSYM_ERR_INTERNAL = -7   /* anything else */
};

/* The message of the last failed call in this thread ("" if none), at
 * most 4096 bytes (a longer one is cut and ends "... (N bytes)"), with the
 * control bytes of any input it quotes escaped as \xNN. Valid until the
 * next ksym call in this thread. */
const char *ksym_last_error(void);
/* A fixed description of a KSYM_ERR_* code. */
const char *ksym_strerror(int code);

/* ---- Opening an index ---- */

struct ksym_index; /* opaque; one per open index file */

struct ksym_open_opts {
  size_t type_size;      /* sizeof(struct ksym_open_opts) */
  bool verify_checksums; /* also check every section's CRC at open */
  uint8_t reserved[7];
};

/* Opens (memory-maps and validates) an index file. */
int ksym_open(const char *path, struct ksym_index **out);
/* The same with options; opts may be NULL. */
int ksym_open_with(const char *path, const struct ksym_open_opts *opts,
                   struct ksym_index **out);
/* Opens the running kernel's default index ($KSYM_INDEX, else
 * $XDG_CACHE_HOME/ksym or ~/.cache/ksym, RELEASE-BUILDID.ksym), building it
 * from /proc/kallsyms first when it is missing, as `ksym` does without -i.
 * opts may be NULL. */
int ksym_open_default(const struct ksym_open_opts *opts,
                      struct ksym_index **out);
/* Closes an index; NULL is ignored. */
void ksym_close(struct ksym_index *idx);

/* ---- Identity and counts ---- */

struct ksym_info {
  size_t type_size;          /* sizeof(struct ksym_info) */
  uint64_t symbol_count;
  uint32_t module_set_count; /* distinct module sets, excluding "none" */
  uint32_t object_count;     /* distinct object files */
  uint64_t file_size;        /* bytes */
  int64_t kaslr_offset;      /* runtime minus static address; see
                                kaslr_offset_known */
  bool runtime_addresses;    /* addresses are the running kernel's */
  char release[128];         /* "6.1.0-28-cloud-amd64", "" if unknown */
  char build_id[80];         /* lowercase hex, "" if unknown */
  char arch[32];             /* "x86_64" */
  /* false for a runtime index whose KASLR offset nothing told (built from
   * kallsyms alone): kaslr_offset is then 0 and means nothing. */
  bool kaslr_offset_known;
  uint8_t reserved[63];
};

int ksym_index_info(const struct ksym_index *idx, struct ksym_info *out);

/* ---- Address -> symbol ---- */

#define KSYM_NO_SYMBOL UINT32_MAX

/* Why no symbol covers an address (a hint, not an error). */
enum ksym_reason {
  KSYM_REASON_NONE = 0,          /* found */
  KSYM_REASON_EMPTY_INDEX = 1,   /* the index has no symbols */
  KSYM_REASON_BELOW_FIRST = 2,   /* below the lowest symbol address */
  KSYM_REASON_PAST_LAST = 3,     /* past the end of the highest symbol */
  KSYM_REASON_IN_GAP = 4,        /* between one symbol's end and the next */
  KSYM_REASON_NOT_KERNEL = 5,    /* below the kernel text: user space, the
                                    direct map, a static address asked of a
                                    runtime index, an absolute value */
  KSYM_REASON_LIVE = 6           /* no symbol of the index, but the index is
                                    the running kernel's and a live symbol
                                    of its [bpf] or ftrace/kprobe
                                    pseudo-modules covers the address (a BPF
                                    program, a trampoline): see below */
};
/* "below the lowest symbol address", ... as `ksym lookup` prints it. */
const char *ksym_reason_text(int reason);

/* A lookup's answer: 16 bytes, nothing decoded. */
struct ksym_hit {
  uint32_t symbol; /* symbol index, KSYM_NO_SYMBOL when none covers */
  uint32_t reason; /* enum ksym_reason */
  uint64_t offset; /* address - symbol start */
};

/* The symbol covering addr (innermost; among aliases the one the kernel's
 * %pS names: the first in kallsyms order, in a loadable module the first in
 * its .ko's symtab). Returns 0, or KSYM_ERR_NOT_FOUND with out->reason set.
 *
 * Live frames: on the running kernel's index (a runtime index whose
 * build-id, or release when either has none, is the running kernel's, as
 * `ksym lookup` decides), an address no indexed symbol covers exactly is
 * looked up in the [bpf], [__builtin__ftrace] and kprobe lines of
 * /proc/kallsyms, as `ksym lookup` does: a BPF program or trampoline gives
 * KSYM_ERR_NOT_FOUND with out->reason KSYM_REASON_LIVE and out->offset the
 * offset into it (out->symbol is KSYM_NO_SYMBOL: such symbols are never
 * in an index), ksym_lookup_live gives its name, start, type, pseudo-module
 * and BPF program id, and ksym_format_frame prints it as `ksym lookup` does
 * ("bpf_prog_6deef7357e7b4530_my_prog+0x4c [bpf] (BPF program 42,
 * prog.c:12:5)"). Those lines are read once per open index, on the first
 * such address: reopen the index to see programs loaded since. Any other
 * index never reads /proc/kallsyms. */
int ksym_lookup(const struct ksym_index *idx, uint64_t addr,
                struct ksym_hit *out);
/* out[i] = ksym_lookup(addrs[i]) for i < n (live frames included); returns
 * how many were found in the index.
 * Sorted addresses are fastest. */
int64_t ksym_lookup_batch(const struct ksym_index *idx, const uint64_t *addrs,
                          size_t n, struct ksym_hit *out);
/* Every symbol covering addr (aliases, enclosing symbols), best first:
 * writes up to cap symbol indices and returns how many there are. */
int ksym_lookup_all(const struct ksym_index *idx, uint64_t addr,
                    uint32_t *symbols, size_t cap);

/* A live symbol of the running kernel (KSYM_REASON_LIVE): a BPF program,
 * a BPF trampoline or dispatcher, an ftrace or kprobe trampoline. */
struct ksym_live_symbol {
  size_t type_size;     /* sizeof(struct ksym_live_symbol) */
  uint64_t address;     /* its start, as /proc/kallsyms lists it */
  uint64_t offset;      /* the looked-up address minus its start */
  char type;            /* kallsyms type letter: 't', ... */
  uint8_t reserved0[3];
  uint32_t bpf_prog_id; /* a BPF program's id (read with root or CAP_BPF),
                           0 when not read: ksym_format_frame says why */
  char name[512];       /* "bpf_prog_6deef7357e7b4530_my_prog" (KSYM_NAME_LEN) */
  char module[64];      /* "bpf", "__builtin__ftrace", "__builtin__kprobes" */
  uint8_t reserved[64];
};

/* The live symbol ksym_lookup answers addr with (KSYM_REASON_LIVE): 0, or
 * KSYM_ERR_NOT_FOUND when there is none (the index answers addr, or
 * nothing live covers it, or the index is not the running kernel's). */
int ksym_lookup_live(const struct ksym_index *idx, uint64_t addr,
                     struct ksym_live_symbol *out);

/* What `ksym lookup` prints after the address: "name+0xOFF/0xLEN [mod]
 * {obj}" (LEN as the kernel's %pS prints it: the distance to the next
 * symbol, not the ELF size), a live frame's text (KSYM_REASON_LIVE,
 * above), or "?? (reason)" when nothing covers addr; where that name does
 * not select the symbol alone, " (ambiguous, N candidates; this one:
 * QUERY)" follows. Returns the length (snprintf rules) or a negative code. */
int ksym_format_frame(const struct ksym_index *idx, uint64_t addr, char *buf,
                      size_t len);

/* ---- Source lines (an index built with its line table) ----
 *
 * The source lines of the code at an address, as `ksym lookup --lines`
 * prints them and `llvm-symbolizer --inlines` gives them: innermost first.
 * frames[0] is the function whose code is at the address (an inlined one,
 * or the symbol's own) with the line row's file:line:column; each next
 * frame is the function the previous one was inlined into, with the call
 * site's file:line:column; the last is the symbol's function.
 *
 *   struct ksym_source_frame f[8];
 *   f[0].type_size = sizeof(f[0]);
 *   int n = ksym_lookup_location(idx, addr, f, 8);
 *   if (n < 0) printf("?? (%s)\n", ksym_last_error());
 *   for (int k = 0; k < n && k < 8; ++k)
 *     printf("%s %s:%u\n", f[k].function, f[k].file, f[k].line);
 *   // strncpy_from_user lib/strncpy_from_user.c:139   (f[0].inlined)
 *   // getname_flags fs/namei.c:150                   (f[1].inlined)
 *   // do_sys_openat2 fs/open.c:1300
 */
struct ksym_source_frame {
  size_t type_size;     /* sizeof(struct ksym_source_frame) */
  /* Strings: NUL-terminated, the bytes DWARF has (not escaped; a NUL byte
   * in one ends it early), valid until the next ksym_lookup_location call
   * in this thread: copy them to keep them. */
  const char *function; /* "getname"; the outermost frame of code DWARF
                           names no function for (assembler) takes the
                           symbol's name, as llvm-symbolizer does */
  const char *file;     /* under the build prefix ("fs/namei.c"), as
                           scripts/decode_stacktrace.sh prints it; a path
                           outside it ("/usr/include/...") whole; "" when
                           unknown */
  const char *prefix;   /* the build prefix (DWARF comp_dir) the file is
                           under ("debian/build/build_amd64_none_cloud-amd64/"),
                           "" for none */
  uint32_t line;        /* 0: unknown (frames[0]: no line row there) */
  uint32_t column;      /* 0: none */
  bool inlined;         /* inlined into the next frame (all but the last) */
  uint8_t reserved[31];
};

/* The source frames of the code at addr (looked up as ksym_lookup does),
 * innermost first: writes up to cap frames and returns how many
 * there are (>= 1; more than cap means the chain was cut to cap).
 * frames[0].type_size is the size of every element of the caller's array
 * (sizeof(struct ksym_source_frame) as the caller was compiled): the
 * library steps by it, so an older, smaller struct's array works; frames
 * may be NULL when cap is 0.
 * KSYM_ERR_NOT_FOUND when there are none, with the reason in
 * ksym_last_error(), the text `ksym lookup --lines` prints in "?? (...)":
 * no symbol covers addr (ksym_reason_text), the index has no line table
 * and why (built with --no-lines, or without the vmlinux's DWARF, and what
 * would give it), the line table has no function there (assembler code,
 * padding past a function's end, a loadable module's code).
 * KSYM_ERR_FORMAT when the line table is damaged there (checksums are
 * checked at open only with verify_checksums). */
int ksym_lookup_location(const struct ksym_index *idx, uint64_t addr,
                         struct ksym_source_frame *frames, size_t cap);

/* What `ksym lookup --lines` prints after the frame line of addr: one line
 * per source frame, "  FUNCTION FILE:LINE[:COLUMN]" and " (inlined)" on
 * all but the last, or "  ?? (WHY)" when there are none; lines end with
 * '\n'. Length 0 when no symbol covers addr (the CLI then prints only
 * ksym_format_frame's "?? (reason)"). Untrusted bytes escaped as \xNN.
 * Returns the length (snprintf rules) or a negative code. */
int ksym_format_location(const struct ksym_index *idx, uint64_t addr,
                         char *buf, size_t len);

/* ---- One symbol ---- */

struct ksym_symbol {
  size_t type_size;      /* sizeof(struct ksym_symbol) */
  uint64_t address;      /* start */
  uint64_t size;         /* extent; inferred ones reach the next symbol */
  char type;             /* nm type letter: 't', 'T', 'd', ... */
  bool size_exact;       /* from the ELF symbol table, not inferred */
  uint8_t reserved0[6];
  uint32_t module_count; /* modules shown in its name (ksym_symbol_module) */
  uint8_t reserved[60];
};

/* Facts of symbol `symbol` (< symbol_count). */
int ksym_symbol_info(const struct ksym_index *idx, uint32_t symbol,
                     struct ksym_symbol *out);
/* Its plain name, e.g. "init_once". */
int ksym_symbol_name(const struct ksym_index *idx, uint32_t symbol, char *buf,
                     size_t len);
/* Its unique name "name [mod]... {obj}", as ksym prints it. */
int ksym_symbol_qualified(const struct ksym_index *idx, uint32_t symbol,
                          char *buf, size_t len);
/* What `ksym resolve` prints after the address: the qualified name, and
 * " (ambiguous, N candidates; this one: QUERY)" when it does not select
 * the symbol alone. */
int ksym_symbol_resolved(const struct ksym_index *idx, uint32_t symbol,
                         char *buf, size_t len);
/* A query that selects exactly this symbol: its qualified name, or with
 * " @0xADDR" when that name is shared. */
int ksym_symbol_select(const struct ksym_index *idx, uint32_t symbol,
                       char *buf, size_t len);
/* The k-th module of its name (k < module_count). */
int ksym_symbol_module(const struct ksym_index *idx, uint32_t symbol,
                       uint32_t k, char *buf, size_t len);
/* Its object file path ("fs/ext4/super.o"); length 0 when unknown. */
int ksym_symbol_object(const struct ksym_index *idx, uint32_t symbol,
                       char *buf, size_t len);

/* ---- Name -> symbol ---- */

/* A symbol matching a query. */
struct ksym_candidate {
  uint32_t symbol;       /* symbol index */
  uint32_t length_match; /* enum ksym_length_match: which size /0xLEN met */
  uint64_t address;      /* the symbol's address plus the query's +0xOFF */
};

/* For a query with /0xLEN, the size it matched: the kernel's length (the
 * distance to the next symbol, as %pS and faddr2line print it) first, the
 * ELF size only when no candidate had it as the kernel's length. */
enum ksym_length_match {
  KSYM_LEN_NOT_ASKED = 0,  /* the query had no /0xLEN */
  KSYM_LEN_KERNEL = 1,
  KSYM_LEN_ELF_SIZE = 2,
};

/* Every symbol matching `query` ("name", "name [mod]", "name {obj}",
 * "mod:name", "name+0xOFF", "name+0xOFF/0xLEN"), in address order: writes
 * up to cap candidates and returns how many match (0: none), or
 * KSYM_ERR_SYNTAX. `*` and `?` in the name part are globs, as `ksym
 * resolve` takes them ("vfs_rea*", fnmatch(3)): the candidates of each
 * matching name, names in byte order, each name's in address order; a glob
 * walks every name of the index (tens of ms), an exact name never does. */
int ksym_resolve(const struct ksym_index *idx, const char *query,
                 struct ksym_candidate *out, size_t cap);
/* What `ksym resolve` prints after a candidate's address: the text of
 * ksym_symbol_resolved, then, for a query with /0xLEN,
 * " (LEN matched ...)" saying which size matched. */
int ksym_candidate_resolved(const struct ksym_index *idx,
                            const struct ksym_candidate *candidate, char *buf,
                            size_t len);
/* Exactly one symbol: returns 0 and *out; KSYM_ERR_NOT_FOUND;
 * KSYM_ERR_SYNTAX; or KSYM_ERR_AMBIGUOUS, with up to cap of the remaining
 * candidates in `candidates` and their number in *count (either may be
 * NULL/0). The rules are `ksym resolve --unique`'s. */
int ksym_resolve_unique(const struct ksym_index *idx, const char *query,
                        struct ksym_candidate *out,
                        struct ksym_candidate *candidates, size_t cap,
                        size_t *count);
/* The address of the unique match of `query`: 0, KSYM_ERR_NOT_FOUND,
 * KSYM_ERR_AMBIGUOUS or KSYM_ERR_SYNTAX. */
int ksym_resolve_address(const struct ksym_index *idx, const char *query,
                         uint64_t *addr);

/* ---- Loadable modules (a runtime index) ----
 *
 * What a profile's mapping of a module needs (pprof/Perfetto Mapping:
 * range and build-id), as `ksym modules` lists them, sorted by name:
 *
 *   int n = ksym_modules(idx);
 *   for (int k = 0; k < n; ++k) {
 *     struct ksym_module m = {.type_size = sizeof(m)};
 *     ksym_module_info(idx, k, &m);   // m.name, m.base, m.build_id, ...
 *   }
 */
struct ksym_module {
  size_t type_size;       /* sizeof(struct ksym_module) */
  const char *name;       /* "ext4"; valid until ksym_close */
  const char *build_id;   /* lowercase hex, "" when unknown */
  uint64_t base;          /* core range [base, base + size) */
  uint64_t size;
  uint32_t section_count; /* ksym_module_section(k, 0 .. section_count-1) */
  bool range_inferred;    /* from its symbols: no /proc/modules placed it */
  bool symbols_from_ko;   /* its symbols came from its .ko, else from its
                             kallsyms lines alone */
  bool debug_read;        /* its debug .ko's DWARF gave objects */
  uint8_t reserved0;
  uint8_t reserved[48];
};

/* How many loadable modules the index lists (0 for a static index). */
int ksym_modules(const struct ksym_index *idx);
/* Facts of module k (< ksym_modules). */
int ksym_module_info(const struct ksym_index *idx, uint32_t k,
                     struct ksym_module *out);
/* Section j of module k: its name (valid until ksym_close) and load
 * address. */
int ksym_module_section(const struct ksym_index *idx, uint32_t k, uint32_t j,
                        const char **name, uint64_t *address);
/* What `ksym modules` prints for module k: "NAME BASE-END build-id ID
 * symbols from ..., N sections", a range inferred or a build-id unknown
 * said in words, untrusted bytes escaped. */
int ksym_module_format(const struct ksym_index *idx, uint32_t k, char *buf,
                       size_t len);

/* ---- Building an index ---- */

struct ksym_build_opts {
  size_t type_size;        /* sizeof(struct ksym_build_opts) */
  const char *vmlinux;     /* vmlinux with .symtab (and DWARF), or NULL */
  const char *system_map;  /* System.map */
  const char *kallsyms;    /* /proc/kallsyms or a saved copy */
  const char *linker_map;  /* vmlinux.map (GNU ld or lld -Map) */
  const char *modules_dir; /* /lib/modules/RELEASE */
  const char *build_dir;   /* a kernel build tree */
  /* The live system read below this directory (a container's host root, a
   * saved system: ROOT/proc/kallsyms, ROOT/boot, ...), as `ksym build
   * --root`; its paths never leave it. Needs an output path. */
  const char *root;
  /* The release to look for (default: the root's, or the running
   * kernel's, proc/sys/kernel/osrelease), as `ksym build --release`. */
  const char *release;
  uint8_t reserved[48];
};

/* Builds an index from the sources in opts (all NULL: the running kernel
 * from /proc/kallsyms) and writes it to output (temp file + rename), or to
 * the default path of the kernel it describes when output is NULL (refused
 * with a root: a root's index is never the running kernel's). */
int ksym_build(const struct ksym_build_opts *opts, const char *output);

/* ---- Fleets (docs/fleet.md) ----
 *
 * A host's layout record (`ksym layout`) maps its runtime addresses to the
 * static index of a kernel or module build, kept by build-id in a store
 * (`ksym store add`):
 *
 *   struct ksym_layout *l;
 *   ksym_layout_parse(text, strlen(text), &l);
 *   struct ksym_mapped m = {.type_size = sizeof(m)};
 *   if (ksym_layout_map(l, addr, &m) == 0) {
 *     struct ksym_index *idx;
 *     uint64_t a;
 *     if (ksym_store_open(store, m.build_id, &idx) == 0 &&
 *         ksym_mapped_address(idx, &m, &a) == 0)
 *       ksym_format_frame(idx, a, frame, sizeof(frame));
 *   }
 */
struct ksym_layout; /* opaque: one host's layout record */

/* From the record's text (the `ksym layout` format, version 1). */
int ksym_layout_parse(const char *text, size_t len, struct ksym_layout **out);
/* Reads this host's layout under root (NULL or "/": this machine). */
int ksym_layout_read(const char *root, struct ksym_layout **out);
void ksym_layout_free(struct ksym_layout *layout);
/* The record's text (snprintf rules). */
int ksym_layout_format(const struct ksym_layout *layout, char *buf,
                       size_t len);

enum ksym_mapped_kind {
  KSYM_MAPPED_KERNEL = 1, /* offset from the runtime _text */
  KSYM_MAPPED_MODULE = 2, /* offset in `section` of module `module` */
};

struct ksym_mapped {
  size_t type_size;     /* sizeof(struct ksym_mapped) */
  int kind;             /* enum ksym_mapped_kind */
  const char *build_id; /* of the kernel or module build; "" unknown */
  const char *module;   /* module name; NULL for the kernel */
  const char *section;  /* module section; NULL for the kernel */
  uint64_t offset;
};

/* Which build and where in it a runtime address of the host is; strings
 * point into the layout. KSYM_ERR_NOT_FOUND when nothing of the layout
 * lies at or below the address (or _text is unknown). */
int ksym_layout_map(const struct ksym_layout *layout, uint64_t addr,
                    struct ksym_mapped *out);

/* Opens the static index of build_id from the store directory (checksums,
 * build-id and static address space checked; a damaged or foreign file is
 * KSYM_ERR_FORMAT). debug_root (NULL: none) is a local debug tree from which
 * a missing build-id is indexed on demand. */
int ksym_store_open(const char *store, const char *build_id,
                    const char *debug_root, struct ksym_index **out);

/* The address in the build's index of a mapped address (kernel: link-time
 * _text + offset; module: the section's placed base + offset), for
 * ksym_lookup / ksym_format_frame. KSYM_ERR_NOT_FOUND with the reason in
 * ksym_last_error() when the index does not place it. */
int ksym_mapped_address(const struct ksym_index *idx,
                        const struct ksym_mapped *mapped, uint64_t *addr);

#ifdef __cplusplus
}
#endif

#endif /* KSYM_KSYM_H_ */
