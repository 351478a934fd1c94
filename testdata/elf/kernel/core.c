// ELF/DWARF source test fixture: linked with fixture.lds into a small
// "vmlinux". Every kind of symbol nm distinguishes appears once; helper()
// also exists in sub/core.c, as static functions repeat across the kernel.

int counter = 1;                                     // D
static int local_counter __attribute__((used)) = 2;  // d
int zeroed[16];                                      // B
static int local_zeroed[4] __attribute__((used));    // b
const char banner[] = "ksym";                        // R
static const int table[3] __attribute__((used)) = {1, 2, 3};  // r

// A built-in module's MODULE_LICENSE leaves a `MODNAME.file=MODFILE`
// .modinfo record (include/linux/module.h); the linker script discards the
// section as the kernel's does, and DWARF keeps the variable.
static const char __UNIQUE_ID_file12[]
    __attribute__((used, section(".modinfo"), aligned(1))) =
        "core.file=kernel/core";
// module_param(file, ...)'s type record: not a file record.
static const char __UNIQUE_ID_filetype13[]
    __attribute__((used, section(".modinfo"), aligned(1))) =
        "core.parmtype=file:charp";

__attribute__((weak)) int weak_func(void) { return 7; }  // W
extern int missing_weak(void) __attribute__((weak));     // w, undefined

static __attribute__((noinline)) int helper(int x) {  // t
  return x * 3 + local_counter + local_zeroed[x & 3];
}

int real_func(int x) { return helper(x) + table[x & 1]; }  // T
int alias_func(int x) __attribute__((alias("real_func")));  // T, same address

__attribute__((cold, noinline)) void report_bad(int x) {  // .text.unlikely
  counter = x;
}

// -O2 moves the unlikely branch to checked.cold in .text.unlikely, so this
// unit's code is not contiguous.
int checked(int x) {
  if (__builtin_expect(x < 0, 0)) {
    report_bad(x);
    for (int i = 0; i < 16; ++i) zeroed[i] = x + i;
    return -1;
  }
  return x + 1;
}

__attribute__((section(".init.text"))) int core_init(void) {  // T, .init.text
  return missing_weak ? missing_weak() : banner[0];
}

int start(void) {
  return real_func(1) + checked(2) + weak_func() + core_init();
}
