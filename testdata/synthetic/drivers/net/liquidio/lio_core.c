#include "../../../synthetic.h"

/* Linked into both liquidio and liquidio_vf. */
int __used lio_ethtool_get_channels(void) { return 4; }
