#include "../../../synthetic.h"

static int __used hyp_helper(void) { return 2; }

int __used hyp_exit(void) { return hyp_helper(); }
