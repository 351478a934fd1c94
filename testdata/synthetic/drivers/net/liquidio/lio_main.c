#include "../../../synthetic.h"

/* Module liquidio only. */
static int __used lio_probe(void) { return 1; }

int __used liquidio_init(void) { return lio_probe(); }
