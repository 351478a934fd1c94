#include "../../../synthetic.h"

/* In both modules, as is cn23xx_vf_device.c: [liquidio] [liquidio_vf]
   does not tell the two mbox_thread apart. */
static int __used mbox_thread(void) { return 1; }

int __used cn23xx_setup_pf_device(void) { return mbox_thread(); }
