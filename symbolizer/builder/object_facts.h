// Stage 5 of a build: which object file each address was linked from. The
// linker map wins (vmlinux.map; a map that links vmlinux.o as a whole is
// expanded through vmlinux.o.map next to it):
//
//    .text          0xffffffff810005fb      0x1c3 init/main.o
//
// else the compile units of the vmlinux DWARF (CU name → object path). Both
// speak link-time addresses: `shift` moves them to the catalog's (0, or the
// KASLR slide when the catalog holds kallsyms); without a shift (kallsyms
// alone) there are no object facts, and a warning says why.
//
// After attribution, the STT_FILE groups of the vmlinux .symtab are checked
// against the objects found and give a group's object to its symbols no
// range covers (CrossCheckFileGroups).
#ifndef KSYM_SYMBOLIZER_BUILDER_OBJECT_FACTS_H_
#define KSYM_SYMBOLIZER_BUILDER_OBJECT_FACTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "symbolizer/attribution/attribution.h"
#include "symbolizer/builder/build_log.h"
#include "symbolizer/builder/inputs.h"
#include "symbolizer/catalog/catalog.h"

namespace ksym {

// Address ranges → object paths (relative to the build directory), in
// catalog addresses. A vmlinux without DWARF is a warning, not an error.
absl::StatusOr<std::vector<ObjectRange>> ReadObjectRanges(
    const ResolvedInputs& inputs, std::optional<int64_t> shift,
    BuildLog& log);

// A DWARF range that starts a few bytes (at most kMaxEntryPrefix) into a
// function no range covers starts at the function instead: arm64 kernels
// built for ftrace (-fpatchable-function-entry=2) put two NOPs between the
// symbol and the DWARF low_pc, so the first function of every range, and
// every .init.text function, had no object. Only sized text symbols
// (ELF size) whose body the range covers count. Returns how many ranges
// moved; ranges from a linker map are exact and left alone.
inline constexpr uint64_t kMaxEntryPrefix = 16;
size_t CoverFunctionEntries(const Catalog& catalog,
                            std::vector<ObjectRange>& ranges);

// Local symbols follow the STT_FILE symbol of their source file: where an
// object from the ranges is known, its basename must agree (core.c ↔
// kernel/sched/core.o); a disagreement is warned about. A group whose
// symbols agree on one object gives it to its symbols that no range covers
// (data, mostly), counted in stats.object_from[kStFile]. `file_group` is
// parallel to catalog.symbols (-1: no group) and indexes `files`; empty
// when the symbols do not come from a vmlinux.
void CrossCheckFileGroups(const std::vector<int32_t>& file_group,
                          const std::vector<std::string>& files,
                          Catalog& catalog, AttributionStats& stats,
                          BuildLog& log);

// Data symbols of a repeated data name (catalog.h NameKind) that neither a
// range nor their STT_FILE group placed take the object of the vmlinux
// DWARF unit that defines a variable at their address (a DW_OP_addr
// location: file-scope and function-static variables, `__key`,
// `__already_done`); an address two units' variables claim is left alone.
// Walks the DWARF only when such a symbol exists (a linker map places
// every data section itself), and then only the units named like the
// STT_FILE groups of those symbols (`file_group`/`files` as for
// CrossCheckFileGroups; every unit when one has no group). Returns how
// many symbols it placed, counted in stats.object_from[kDwarf].
size_t PlaceDataByDwarfVariables(const ResolvedInputs& inputs,
                                 std::optional<int64_t> shift,
                                 const std::vector<int32_t>& file_group,
                                 const std::vector<std::string>& files,
                                 Catalog& catalog, AttributionStats& stats,
                                 BuildLog& log);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_BUILDER_OBJECT_FACTS_H_
