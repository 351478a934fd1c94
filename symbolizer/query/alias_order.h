// Which of several symbols at one address a lookup names: the kernel's own
// choice, so that `ksym lookup` says what %pS, oopses and /proc/kallsyms'
// first line say.
//
//   AliasOrderLess('t', "__do_sys_vfork", 'T', "__x64_sys_vfork")  // true
//
// The kernel (kernel/kallsyms.c get_symbol_pos) answers an address with the
// FIRST symbol of its alias group in kallsyms order, which scripts/kallsyms.c
// compare_symbols sorts, among symbols of one address, by:
//   1. non-weak before weak (type letter w or W; v/V are not "weak" there);
//   2. names that are not linker-script PROVIDEs before those that may be
//      (MayBeLinkerScriptProvided: __start_*, __stop_*, __end_*, __*_start,
//      __*_end, at least 8 bytes long);
//   3. fewer leading underscores;
//   4. the input order, which is `nm -n`'s: names in byte (C locale) order.
// Global/local binding and name length play no part (unlike perf's
// choose_best_symbol, see symbolizer/README.md).
// Absolute symbols (type a/A) come after all others: scripts/kallsyms drops
// them, so the kernel never names them (System.map has them, e.g.
// init_per_cpu__fixed_percpu_data A at the address of __init_begin).
#ifndef KSYM_SYMBOLIZER_QUERY_ALIAS_ORDER_H_
#define KSYM_SYMBOLIZER_QUERY_ALIAS_ORDER_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace ksym {

// scripts/kallsyms.c may_be_linker_script_provide_symbol.
bool MayBeLinkerScriptProvided(absl::string_view name);

// Absolute-last and rules 1-3 as one comparable number (lower sorts
// first); ties are broken by the name bytes (rule 4).
uint64_t AliasRank(char type, absl::string_view name);

// True when symbol a (type, name) comes before b in kallsyms order.
inline bool AliasOrderLess(char type_a, absl::string_view a, char type_b,
                           absl::string_view b) {
  const uint64_t ra = AliasRank(type_a, a), rb = AliasRank(type_b, b);
  if (ra != rb) return ra < rb;
  return a < b;  // string_view compares bytes as unsigned char
}

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_QUERY_ALIAS_ORDER_H_
