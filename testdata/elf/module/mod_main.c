// ELF/DWARF source test fixture: the main file of a loadable module, linked
// with `ld -r` like a .ko. Its .modinfo records mirror modpost's output.

static const char modinfo_license[] __attribute__((section(".modinfo"), used,
                                                    aligned(1))) =
    "license=GPL";
static const char modinfo_name[] __attribute__((section(".modinfo"), used,
                                                 aligned(1))) =
    "name=ksym_fixture";

extern int printk(const char *fmt, ...);               // U
extern int optional_hook(void) __attribute__((weak));  // w
int mod_util(int x);

static __attribute__((noinline)) int helper(int x) {  // t
  return printk("%d", x);
}

__attribute__((section(".init.text"))) int fixture_init(void) {  // T
  return helper(1) + mod_util(2);
}

int fixture_exported(int x) {  // T
  return helper(x) + (optional_hook ? optional_hook() : 0);
}
