// ksym.proto.SymbolTable → Catalog, ready for SerializeIndex: the way back
// from export.h, for a table shipped with a trace.
//
//   Catalog catalog = *ImportSymbolTableBytes(pb, ProtoFormat::kBinary,
//                                             "k.ksym.pb");
//   std::string index = *SerializeIndex(catalog);  // the exported index's bytes
//
// Import trusts nothing (validate.h checks every part): a bad table is an
// InvalidArgument naming the field and index, e.g.
//   k.ksym.pb: symbols.name_refs[7]: 9 refers to symbols.names[8], which no
//   earlier symbol introduced (expected 0 or at most 7)
#ifndef KSYM_PROTO_IMPORT_H_
#define KSYM_PROTO_IMPORT_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/ksym.pb.h"
#include "proto/proto_format.h"
#include "symbolizer/catalog/catalog.h"

namespace ksym {

// Validates `table` and builds the catalog it describes: symbols sorted with
// sizes finalized and object annotations set, ready for SerializeIndex.
// Malformed → InvalidArgument "LABEL: field[index]: what (expected ...)";
// a version newer than kSymbolTableVersion → FailedPrecondition.
absl::StatusOr<Catalog> ImportSymbolTable(const proto::SymbolTable& table,
                                          absl::string_view label = "<proto>");
// The same from bytes in `format` (ParseSymbolTable's errors first).
absl::StatusOr<Catalog> ImportSymbolTableBytes(absl::string_view bytes,
                                               ProtoFormat format,
                                               absl::string_view label);

}  // namespace ksym

#endif  // KSYM_PROTO_IMPORT_H_
