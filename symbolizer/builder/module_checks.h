// Part of stage 7 (loadable modules): whether a module's parsed files are
// fit to index. A .ko or debug .ko comes from an untrusted root or server:
// one with a symbol reaching past its section (a size the index cannot
// hold aborted the whole build) or with compile-unit names that are not
// text (garbage in .debug_str/.debug_line_str became object paths of
// binary bytes, with no warning) is a rejected source with its reason,
// and the build goes on with the other modules. Pure: no I/O.
//
//   ModuleSymbolsProblem(symtab)
//     // "symbol helper has size 0x10000000000 at 0x30 in section .text,
//     //  which is 0x80 bytes"
//   ModuleUnitsProblem(units)
//     // "compile unit at 0x0 has DW_AT_name \"\xff\xfe...\", not text
//     //  (damaged .debug_str or .debug_line_str?)"
#ifndef KSYM_SYMBOLIZER_BUILDER_MODULE_CHECKS_H_
#define KSYM_SYMBOLIZER_BUILDER_MODULE_CHECKS_H_

#include <string>

#include "symbolizer/sources/elf/dwarf_units.h"
#include "symbolizer/sources/elf/elf_symtab.h"

namespace ksym {

// "" when every symbol the module would place lies inside its section
// (value + size <= the section's size), else why not (the first one).
std::string ModuleSymbolsProblem(const ElfSymbolTable& symtab);

// "" when every compile unit's DW_AT_name and DW_AT_comp_dir is text
// (UTF-8 without control characters), else why not (the first one).
std::string ModuleUnitsProblem(const DwarfUnits& units);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_BUILDER_MODULE_CHECKS_H_
