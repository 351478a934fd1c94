#include "../../synthetic.h"

/* Collides with net/sched/core.c on two path components: needs
   {kernel/sched/core.o}. */
static int __used nr_running;

static void __used init_once(void *p) { nr_running = p != 0; }

static int __used show_state(void) { return nr_running; }

void __used schedule(void) { nr_running++; }
