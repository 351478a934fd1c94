// Build stage: the vmlinux's source lines and inline trees (its DWARF read
// through libdw, sources/elf/dwarf_lines.h) for the index's optional line
// section, and a "line tables" source record that says where they came
// from or why the index has none (so `lookup --lines` can say it).
//
//   ReadSourceLines(in.root, in.vmlinux, /*wanted=*/!no_lines, catalog, log);
#ifndef KSYM_SYMBOLIZER_BUILDER_SOURCE_LINES_H_
#define KSYM_SYMBOLIZER_BUILDER_SOURCE_LINES_H_

#include <string>

#include "absl/status/status.h"
#include "symbolizer/builder/build_log.h"
#include "symbolizer/catalog/catalog.h"

namespace ksym {

// The `what` of the source record.
inline constexpr char kLineTablesSource[] = "line tables";

// Fills catalog.lines from `vmlinux` ("" when the build has none) unless
// not `wanted`, and adds the source record. A vmlinux without DWARF is a
// missing source, not an error; malformed DWARF is a warning (the index is
// built without lines).
void ReadSourceLines(const std::string& root, const std::string& vmlinux,
                     bool wanted, Catalog& catalog,
                     BuildLog& log);

}  // namespace ksym

#endif  // KSYM_SYMBOLIZER_BUILDER_SOURCE_LINES_H_
