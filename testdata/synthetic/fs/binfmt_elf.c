#include "../synthetic.h"

/* Single-object built-in modules binfmt_elf and compat_binfmt_elf. */
static int __used padzero(unsigned long addr) { return addr != 0; }

static int __used load_elf_binary(void) { return padzero(1); }
