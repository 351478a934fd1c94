// Part of stage 7 (loadable modules): which of several symbols at one
// address of a loadable module the kernel names. Pure: no I/O.
//
// The kernel answers a module address (kernel/module/kallsyms.c
// find_kallsyms_symbol) by scanning the module's symtab in order and
// keeping a symbol only when its value is strictly above the best so far
// (`thisval > bestval`): of aliases, the FIRST in the .ko's symtab wins,
// whatever the vmlinux alias rules (query/alias_order.h) say. module_exit()
// makes such an alias:
//
//   readelf -s xfs.ko   4527: 0000000000000010 ... FUNC ... exit_xfs_fs
//                      12354: 0000000000000010 ... FUNC ... cleanup_module
//   %pS: exit_xfs_fs+0x0/0x...   (vmlinux rules would pick cleanup_module)
//
// /proc/kallsyms lists a module's symbols in that same order
// (module_get_kallsym walks the module's symtab), so a module's kallsyms
// lines, in the order read, serve when there is no .ko.
//
// Symbols the kernel's scan skips never win: empty names and mapping
// symbols (is_mapping_symbol: "$x", "$d", ".L...", "L0...").
#ifndef KSYM_SYMBOLIZER_BUILDER_MODULE_ALIAS_ORDER_H_
#define KSYM_SYMBOLIZER_BUILDER_MODULE_ALIAS_ORDER_H_

#include "absl/types/span.h"
#include "symbolizer/catalog/catalog.h"

namespace ksym {

// `symbols` are one loadable module's, in its symtab order. Sets
// module_alias_first on the first symbol at each address shared by
// several when the vmlinux alias rules would name another of them there
// (catalog.h Symbol::module_alias_first, format.h kModuleAliasFirst).
// Returns how many it marked.
size_t MarkModuleAliasFirst(absl::Span<Symbol> symbols);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_BUILDER_MODULE_ALIAS_ORDER_H_
