#include "../../../synthetic.h"

/* hyp_a.o and hyp_b.o are pre-linked with `ld -r` into hyp.o, as arm64
   links its nVHE hypervisor: the linker map sees one object. */
static int __used hyp_helper(void) { return 1; }

int __used hyp_enter(void) { return hyp_helper(); }
