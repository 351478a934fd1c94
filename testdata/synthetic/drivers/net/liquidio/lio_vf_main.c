#include "../../../synthetic.h"

/* Module liquidio_vf only. */
static int __used lio_probe(void) { return 2; }

int __used liquidio_vf_init(void) { return lio_probe(); }
