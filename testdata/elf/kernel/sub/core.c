// ELF/DWARF source test fixture, built as DWARF 4: a second core.c whose
// static helper() has the same name as kernel/core.c's.

__attribute__((weak)) int weak_var = 5;  // V

static __attribute__((noinline)) int helper(int x) {  // t, duplicate name
  return x - weak_var;
}

int sub_entry(int x) { return helper(x) * 2; }  // T
