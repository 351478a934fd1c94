/* Linker map fixture: a per-CPU variable (.data..percpu, linked at address
   0 as on x86_64) and a static function named like one in init/main.c. */
__attribute__((section(".data..percpu"))) int cpu_number = 3;
long sched_clock_ticks;

__attribute__((noinline)) static int init_once(int a) { return a + cpu_number; }

int schedule(int a) { return init_once(a) * 2 + (int)sched_clock_ticks; }
