#include "../synthetic.h"

int __used system_state;

/* DEFINE_PER_CPU(int, cpu_number) */
__attribute__((section(".data..percpu"))) int __used cpu_number;

void __used start_kernel(void) { system_state = 1; }

static void __used do_initcalls(void) { system_state = 2; }
