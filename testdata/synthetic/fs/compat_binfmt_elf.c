#include "../synthetic.h"

static int __used padzero(unsigned long addr) { return addr == 0; }

static int __used load_elf_binary(void) { return padzero(2); }
