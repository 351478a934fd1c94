/* Shared by the synthetic kernel's sources: keep every function and
   variable, even unreferenced, as kernel objects do. */
#define __used __attribute__((used))
#define __alias(sym) __attribute__((alias(#sym)))
#define __weak __attribute__((weak))
