#include "../../../synthetic.h"

static int __used mbox_thread(void) { return 2; }

int __used cn23xx_setup_vf_device(void) { return mbox_thread(); }
