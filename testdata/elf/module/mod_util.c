// ELF/DWARF source test fixture: the second file of the module, built with
// -fcommon so that `common_var` stays a COMMON symbol (nm type C).

int common_var;  // C

static __attribute__((noinline)) int helper(int x) {  // t, duplicate name
  return x + common_var;
}

int mod_util(int x) { return helper(x); }  // T
