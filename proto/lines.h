// The index's line section (symbolizer/index/line_section.h) ↔ the
// SymbolTable's `lines` field (ksym.proto LineTable): source lines and
// inline trees in a form a trace tool reads without ksym.
//
//   proto::SymbolTable t;
//   absl::Status s = ExportLines(index.lines(), t.mutable_lines(), &note);
//   ...
//   Catalog c;
//   s = CheckTableLines(t, "k.ksym.pb", &c);  // c.lines: the LineTable
//
// The section is decoded into a LineTable (LineSection::DecodeTable) and
// rebuilt from one by the section's own encoder, so index → table → index
// is byte-identical and the byte layout stays in line_section.cc.
#ifndef KSYM_PROTO_LINES_H_
#define KSYM_PROTO_LINES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "proto/ksym.pb.h"
#include "symbolizer/catalog/catalog.h"
#include "symbolizer/index/reader.h"

namespace ksym {

// Fills `out` from a present section. A string that is not UTF-8 is
// InvalidArgument; a damaged section DataLoss. Appends to `note` what a
// reader of the table should know (rows of an index that did not keep
// DWARF's is_stmt), "; "-separated.
absl::Status ExportLines(const LineSection& section, proto::LineTable* out,
                         std::string* note);

// `lines` and `module_lines` (the modules' lines at load addresses), when
// the table has them, each: the file table (file 0 the unknown file,
// prefix 0 ""), every index in range, each function inside the address
// space, after the one before it and at most 2^32 - 1 bytes, every row
// and inline range inside its function, rows in offset order, inline
// calls a preorder tree no deeper than the section decodes. Sets
// catalog->lines and catalog->module_lines; InvalidArgument "LABEL:
// lines.functions[K] (NAME)....: what (expected ...)" (module_lines....
// for the modules') otherwise.
absl::Status CheckTableLines(const proto::SymbolTable& table,
                             absl::string_view label, Catalog* catalog);

}  // namespace ksym

#endif  // KSYM_PROTO_LINES_H_
